package io.skep.client;

/**
 * The daemon answered, but with an error status: what the docker CLI prints as
 * {@code Error response from daemon: <message>}.
 */
public class DaemonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public DaemonException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status code of the answer (404 not found, 400 invalid parameter, 409 conflict, ...). */
    public int status() {
        return status;
    }

    /** {@code true} for a 404, the status the docker CLI treats as "no such object". */
    public boolean isNotFound() {
        return status == 404;
    }
}
