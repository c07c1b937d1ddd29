package io.skep.bench.overlay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Shell scripts run inside a process-runtime task, as the task would run them: in its network namespace
 * ({@code skep-task-<taskID>}, with the task's own {@code resolv.conf}) through {@code nsenter} into its daemon's mount
 * namespace, where the daemon (started with {@code ip netns exec}) keeps its task namespaces. Every applet is
 * busybox's, named by path, so that the host's tools of the same names play no part.
 *
 * @param daemonPid the process ID of the daemon that runs the task
 * @param taskId    the task's ID
 */
public record TaskShell(long daemonPid, String taskId) {
    static final String BUSYBOX = "/bin/busybox";

    /** What a script did, and how long it took from starting {@code nsenter} until the script's end. */
    record Ran(int exitCode, String output, long nanos) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** The command line that runs {@code script} with busybox's {@code sh} inside the task. */
    public List<String> command(String script) {
        return List.of(
                "nsenter",
                "-t",
                Long.toString(daemonPid),
                "-m",
                "ip",
                "netns",
                "exec",
                "skep-task-" + taskId,
                BUSYBOX,
                "sh",
                "-c",
                script);
    }

    /** Runs {@code script} to its end (at most {@code within}; then it is killed, with its children, and refused). */
    Ran run(String script, Duration within) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = start(script);
        AtomicBoolean late = new AtomicBoolean();
        Thread deadline = Thread.ofVirtual().start(() -> {
            try {
                if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                    late.set(true);
                    kill(p);
                }
            } catch (InterruptedException e) {
                // the script ended in time
            }
        });
        byte[] out = p.getInputStream().readAllBytes(); // to the end of the script and of whatever it started
        int exit = p.waitFor();
        long nanos = System.nanoTime() - start;
        deadline.interrupt();
        if (late.get()) {
            throw new IllegalStateException("no end within " + within + " of, in task " + taskId + ": " + script);
        }
        return new Ran(exit, new String(out, StandardCharsets.UTF_8), nanos);
    }

    /** Kills a script started here, and what it started (which holds its output open). */
    static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Starts {@code script}; its standard output (and error) is the process's input stream, read as it comes. */
    Process start(String script) throws IOException {
        Process p =
                new ProcessBuilder(command(script)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        return p;
    }
}
