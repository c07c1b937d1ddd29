package io.skep.runtime.process;

import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskRuntimeProvider;
import io.skep.spi.tck.TaskRuntimeConformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The process runtime against the task runtime conformance kit of the SPI. */
class ProcessRuntimeConformanceTest extends TaskRuntimeConformance {

    /** SIGTERM's bit in the signal masks of /proc/PID/status. */
    private static final long SIGTERM_BIT = 1L << (15 - 1);

    @Override
    protected TaskRuntimeProvider provider() {
        return new ProcessRuntimeProvider();
    }

    @Override
    protected TaskDefinition runsUntilStopped(String taskId) {
        return launch(taskId, ProcessRuntimeProvider.HOST_IMAGE, List.of(), List.of("sleep", "1000"));
    }

    @Override
    protected TaskDefinition exitsWith(String taskId, int exitCode) {
        return launch(taskId, ProcessRuntimeProvider.HOST_IMAGE, List.of(), List.of("sh", "-c", "exit " + exitCode));
    }

    @Override
    protected TaskDefinition ignoresStopSignal(String taskId) {
        // an ignored signal stays ignored across exec: the sleep itself ignores SIGTERM
        return launch(
                taskId,
                ProcessRuntimeProvider.HOST_IMAGE,
                List.of(),
                List.of("sh", "-c", "trap '' TERM; exec sleep 1000"));
    }

    @Override
    protected TaskDefinition shell(String taskId, String script) {
        return launch(taskId, ProcessRuntimeProvider.HOST_IMAGE, List.of(), List.of("sh", "-c", script));
    }

    /** The runtime starts the shell with default signal handling: wait until it has run its trap. */
    @Override
    protected void awaitIgnoresStopSignal(TaskHandle task, Duration timeout) {
        Path status = Path.of("/proc", task.runtimeId(), "status");
        await("process " + task.runtimeId() + " ignores SIGTERM", timeout, () -> {
            try {
                return Files.readAllLines(status).stream()
                        .filter(line -> line.startsWith("SigIgn:"))
                        .anyMatch(line ->
                                (Long.parseUnsignedLong(line.substring(7).trim(), 16) & SIGTERM_BIT) != 0);
            } catch (IOException e) {
                return false;
            }
        });
    }
}
