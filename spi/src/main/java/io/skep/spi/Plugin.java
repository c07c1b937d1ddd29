package io.skep.spi;

import java.util.List;

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

    /**
     * The settings this plugin takes ({@code skep daemon --plugin-opt <name>.<option>=<value>}, or
     * {@code "plugin-opts"} in daemon.json). None by default.
     */
    default List<PluginOption<?>> options() {
        return List.of();
    }

    /**
     * Receives this plugin's checked settings, once, before the node uses the plugin (before a runtime's probe, a
     * strategy's first placement). Called also when no option was given: then every value is its default.
     */
    default void configure(PluginConfig config) {}
}
