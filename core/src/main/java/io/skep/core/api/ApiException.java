package io.skep.core.api;

/**
 * An error answered as {@code {"message": ...}} with its HTTP status, as the Docker API does: 400 bad
 * input, 404 not found, 409 conflict, 503 not a manager / unavailable, 500 anything else.
 */
public class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, message);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, message);
    }
}
