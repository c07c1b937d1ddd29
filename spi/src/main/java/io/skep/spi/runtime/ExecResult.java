package io.skep.spi.runtime;

/**
 * How a command run inside a task ({@link TaskHandle#exec}) ended.
 *
 * @param exitCode the command's exit code, or {@link TaskExit#UNKNOWN} when it timed out
 * @param output   what it wrote (stdout and stderr together, as Docker's health checks keep it), cut to a few KiB
 * @param timedOut whether it was still running when the timeout ran out (it was then abandoned)
 */
public record ExecResult(int exitCode, String output, boolean timedOut) {

    public ExecResult {
        output = output == null ? "" : output;
    }
}
