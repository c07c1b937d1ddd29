package io.skep.spi.runtime;

/**
 * How a task ended.
 *
 * @param exitCode the exit code, or {@code -1} when it cannot be known (e.g. a task adopted after a node
 *                 restart, whose parent was gone when it ended)
 * @param message  a short account, e.g. "exit status 0" or "killed by SIGKILL"
 */
public record TaskExit(int exitCode, String message) {

    public static final int UNKNOWN = -1;

    public boolean succeeded() {
        return exitCode == 0;
    }
}
