package io.skep.client;

/**
 * The daemon could not be reached, or did not answer in time. The message is meant for the user as is, e.g.
 * {@code Cannot connect to the skep daemon at unix:///var/run/skep.sock. Is the skep daemon running?}.
 */
public class DaemonUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DaemonUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
