package io.skep.core.cli;

/**
 * A command failed: the message goes to stderr as is (possibly several lines, one per failed item), the process
 * exits with {@link #exitCode()}.
 */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliException(String message) {
        this(message, 1);
    }

    CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
