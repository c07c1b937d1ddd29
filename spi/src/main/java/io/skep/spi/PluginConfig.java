package io.skep.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The checked settings of one plugin: a value for each of its {@link Plugin#options() options}, the one the user
 * gave or else the option's default. The core hands it to {@link Plugin#configure} before it uses the plugin.
 */
public final class PluginConfig {

    private final String plugin;
    private final Map<String, PluginOption<?>> options = new LinkedHashMap<>();
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Set<String> given;

    private PluginConfig(String plugin, List<PluginOption<?>> declared, Map<String, String> texts) {
        this.plugin = plugin;
        for (PluginOption<?> option : declared) {
            options.put(option.name(), option);
        }
        for (String key : texts.keySet()) {
            if (!options.containsKey(key)) {
                throw new PluginOptionException(
                        plugin + "." + key,
                        options.isEmpty()
                                ? "plugin " + plugin + " takes no options"
                                : "plugin " + plugin + " has no option " + key + " (its options: "
                                        + String.join(", ", options.keySet()) + ")");
            }
        }
        for (PluginOption<?> option : declared) {
            String text = texts.get(option.name());
            try {
                values.put(option.name(), text == null ? option.defaultValue() : option.parse(text));
            } catch (IllegalArgumentException e) {
                throw new PluginOptionException(plugin + "." + option.name(), e.getMessage());
            }
        }
        this.given = Set.copyOf(texts.keySet());
    }

    /**
     * Checks the values given for the options of plugin {@code plugin}.
     *
     * @param texts the given values by option name (without the plugin's name)
     * @throws PluginOptionException naming the first {@code <plugin>.<option>} that is unknown or invalid, and why
     */
    public static PluginConfig of(String plugin, List<PluginOption<?>> options, Map<String, String> texts) {
        Objects.requireNonNull(plugin, "plugin");
        return new PluginConfig(plugin, List.copyOf(options), Map.copyOf(texts));
    }

    /** Every option at its default (a plugin nobody configured). */
    public static PluginConfig defaults(String plugin, List<PluginOption<?>> options) {
        return of(plugin, options, Map.of());
    }

    public String plugin() {
        return plugin;
    }

    /** The value of {@code option}: given or default. */
    public <T> T get(PluginOption<T> option) {
        Object value = values.get(option.name());
        if (value == null || options.get(option.name()).type() != option.type()) {
            throw new IllegalArgumentException("plugin " + plugin + " declares no option " + option);
        }
        @SuppressWarnings("unchecked") // the declared option of that name and type made it
        T typed = (T) value;
        return typed;
    }

    /** Whether the user gave {@code option} (a plugin may then fall back on something else, e.g. a variable). */
    public boolean isSet(PluginOption<?> option) {
        return given.contains(option.name());
    }

    /** The values the user gave, as text by option name, in the options' order (for {@code plugin ls}). */
    public Map<String, String> givenTexts() {
        Map<String, String> out = new LinkedHashMap<>();
        options.forEach((name, option) -> {
            if (given.contains(name)) {
                out.put(name, option.text(values.get(name)));
            }
        });
        return out;
    }

    public List<PluginOption<?>> options() {
        return List.copyOf(options.values());
    }
}
