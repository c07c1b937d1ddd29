package io.skep.runtime.docker;

import io.skep.spi.runtime.LogLine;
import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskRuntimeException;
import io.skep.spi.runtime.TaskRuntimeProvider;
import io.skep.spi.tck.TaskRuntimeConformance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The docker runtime against the task runtime conformance kit of the SPI, on the FROM-scratch busybox test image.
 * Each test runs as a node of its own (a fresh node ID), so that runs sharing the engine never see each other's
 * containers; the kit removes every container it made.
 */
@ExtendWith(RequiresDocker.class)
class DockerRuntimeConformanceTest extends TaskRuntimeConformance {

    /** The task's shell is PID 1 of its container, which ignores a signal it has no handler for: trap it. */
    private static final String SLEEPER = "trap 'exit 0' TERM; sleep 1000 & wait";

    private static final String IGNORING = "ignoring SIGTERM";

    private final String nodeId = "tck-docker-" + UUID.randomUUID().toString().substring(0, 12);

    @Override
    protected TaskRuntimeProvider provider() {
        return new DockerRuntimeProvider();
    }

    @Override
    protected RuntimeContext context(Path stateDir) {
        return new RuntimeContext(nodeId, stateDir);
    }

    @Override
    protected TaskDefinition runsUntilStopped(String taskId) {
        return shell(taskId, SLEEPER);
    }

    @Override
    protected TaskDefinition exitsWith(String taskId, int exitCode) {
        return shell(taskId, "exit " + exitCode);
    }

    @Override
    protected TaskDefinition ignoresStopSignal(String taskId) {
        return shell(taskId, "trap '' TERM; echo '" + IGNORING + "'; exec sleep 1000");
    }

    @Override
    protected TaskDefinition shell(String taskId, String script) {
        return launch(taskId, RequiresDocker.image(), List.of(), List.of("sh", "-c", script));
    }

    /** The shell says when it has run its trap. */
    @Override
    protected void awaitIgnoresStopSignal(TaskHandle task, Duration timeout) {
        await("the task ignores SIGTERM", timeout, () -> {
            try (Stream<LogLine> logs = task.logs(false)) {
                return logs.anyMatch(line -> line.text().equals(IGNORING));
            } catch (TaskRuntimeException e) {
                return false;
            }
        });
    }

    /** A container's start and stop take the engine a while on a busy machine. */
    @Override
    protected Duration timeout() {
        return Duration.ofSeconds(20);
    }
}
