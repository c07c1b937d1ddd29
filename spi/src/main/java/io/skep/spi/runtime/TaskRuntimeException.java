package io.skep.spi.runtime;

/**
 * A task could not be started or controlled. The message is shown to users as the task's error, so it says
 * what failed in their terms ("executable file not found in $PATH: \"sleepx\"").
 */
public class TaskRuntimeException extends Exception {

    public TaskRuntimeException(String message) {
        super(message);
    }

    public TaskRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
