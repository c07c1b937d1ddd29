package io.skep.spi;

/**
 * What every skep plugin says about itself. {@code skep plugin ls} lists these, with the module that
 * provides them.
 */
public interface Plugin {

    /** The name users select the plugin by, e.g. {@code "spread"} or {@code "process"}. Lower case. */
    String name();

    /** One line for {@code skep plugin ls}. */
    default String description() {
        return "";
    }
}
