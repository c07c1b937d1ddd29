package io.skep.spi.runtime;

/**
 * The runtime does not support what was asked (a {@link RuntimeCapability} it lacks). The message says which
 * runtime and which operation: {@code the process runtime does not support exec}.
 */
public class UnsupportedTaskOperationException extends TaskRuntimeException {

    private final RuntimeCapability capability;

    public UnsupportedTaskOperationException(RuntimeCapability capability, String message) {
        super(message);
        this.capability = capability;
    }

    /** What is not supported. */
    public RuntimeCapability capability() {
        return capability;
    }
}
