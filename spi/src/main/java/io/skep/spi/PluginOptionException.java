package io.skep.spi;

/**
 * A plugin option that is refused: unknown, or a value that is not valid. The message is
 * {@code <plugin>.<option>: <reason>}, e.g. {@code docker.concurrency: must be from 1 to 64, got 0}; whoever read
 * the value puts where it came from in front ({@code --plugin-opt}, a file).
 */
public final class PluginOptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String reason;

    public PluginOptionException(String key, String reason) {
        super(key + ": " + reason);
        this.key = key;
        this.reason = reason;
    }

    /** {@code <plugin>.<option>}. */
    public String key() {
        return key;
    }

    public String reason() {
        return reason;
    }
}
