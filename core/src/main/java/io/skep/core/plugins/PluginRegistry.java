package io.skep.core.plugins;

import io.skep.spi.Plugin;
import io.skep.spi.PluginConfig;
import io.skep.spi.PluginOptionException;
import io.skep.spi.network.NetworkDriverProvider;
import io.skep.spi.runtime.TaskRuntimeProvider;
import io.skep.spi.scheduler.SchedulerFilter;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins of this node: every SPI implementation found with {@link ServiceLoader} in the image's
 * modules, plus drop-in plugin jars from a folder, loaded into a child module layer (no image rebuild).
 * A provider that fails to load is recorded and skipped, never fatal. Each plugin then receives its
 * settings ({@code --plugin-opt}); a setting that is unknown or invalid is fatal.
 */
public final class PluginRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class);

    /** A kind of plugin: the type {@code skep plugin ls} shows, and the SPI interface it implements. */
    public record Kind(String type, Class<? extends Plugin> spi) {}

    /** The SPIs whose providers are loaded. A new SPI is one more line here. */
    public static final List<Kind> KINDS = List.of(
            new Kind("scheduler", SchedulerStrategy.class),
            new Kind("runtime", TaskRuntimeProvider.class),
            new Kind("scheduler-filter", SchedulerFilter.class),
            new Kind("network-driver", NetworkDriverProvider.class));

    /** One loaded plugin, as {@code skep plugin ls} shows it, with the settings it received. */
    public record LoadedPlugin(
            String type, String name, String description, String module, Plugin plugin, PluginConfig config) {}

    private final List<LoadedPlugin> plugins = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    private PluginRegistry() {}

    /** Loads the image's plugins and those in {@code pluginDir} (may be null or missing), with no settings. */
    public static PluginRegistry load(Path pluginDir) {
        return load(pluginDir, Map.of());
    }

    /**
     * Loads the image's plugins and those in {@code pluginDir} (may be null or missing), and configures each.
     *
     * @param settings values by {@code <plugin name>.<option>}
     * @throws PluginOptionException naming a setting of no loaded plugin, or one a plugin refuses
     */
    public static PluginRegistry load(Path pluginDir, Map<String, String> settings) {
        PluginRegistry registry = new PluginRegistry();
        ModuleLayer layer = registry.dropInLayer(pluginDir);
        for (Kind kind : KINDS) {
            registry.collect(kind.type(), kind.spi(), layer);
        }
        registry.configure(settings);
        return registry;
    }

    /** Hands each plugin its settings; every plugin of a name gets those of that name. */
    private void configure(Map<String, String> settings) {
        Map<String, Map<String, String>> byPlugin = new LinkedHashMap<>();
        settings.keySet().stream().sorted().forEach(key -> {
            int dot = key.indexOf('.');
            if (dot <= 0 || dot == key.length() - 1) {
                throw new PluginOptionException(key, "a plugin option is named <plugin>.<option>");
            }
            String plugin = key.substring(0, dot);
            if (plugins.stream().noneMatch(p -> p.name().equals(plugin))) {
                throw new PluginOptionException(key, "no plugin named " + plugin + " is loaded");
            }
            byPlugin.computeIfAbsent(plugin, p -> new LinkedHashMap<>()).put(key.substring(dot + 1), settings.get(key));
        });
        for (int i = 0; i < plugins.size(); i++) {
            LoadedPlugin p = plugins.get(i);
            PluginConfig config =
                    PluginConfig.of(p.name(), p.plugin().options(), byPlugin.getOrDefault(p.name(), Map.of()));
            p.plugin().configure(config);
            plugins.set(i, new LoadedPlugin(p.type(), p.name(), p.description(), p.module(), p.plugin(), config));
        }
    }

    private ModuleLayer dropInLayer(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return null;
        }
        try (var entries = Files.list(dir)) {
            if (entries.noneMatch(p -> p.toString().endsWith(".jar"))) {
                return null;
            }
        } catch (IOException e) {
            failures.add("plugin folder " + dir + ": " + e.getMessage());
            return null;
        }
        try {
            ModuleFinder finder = ModuleFinder.of(dir);
            Set<String> names =
                    finder.findAll().stream().map(r -> r.descriptor().name()).collect(Collectors.toSet());
            ModuleLayer boot = ModuleLayer.boot();
            Configuration config = boot.configuration().resolveAndBind(finder, ModuleFinder.of(), names);
            LOG.info("drop-in plugin modules from {}: {}", dir, names);
            return boot.defineModulesWithOneLoader(config, ClassLoader.getSystemClassLoader());
        } catch (RuntimeException e) {
            failures.add("plugin folder " + dir + ": " + e.getMessage());
            LOG.warn("drop-in plugins in {} not loaded: {}", dir, e.toString());
            return null;
        }
    }

    private <T extends Plugin> void collect(String type, Class<T> spi, ModuleLayer layer) {
        ServiceLoader<T> loader = layer == null ? ServiceLoader.load(spi) : ServiceLoader.load(layer, spi);
        for (ServiceLoader.Provider<T> provider : loader.stream().toList()) {
            try {
                T plugin = provider.get();
                Module module = plugin.getClass().getModule();
                String moduleName = module.isNamed() ? module.getName() : "(classpath)";
                if (plugins.stream().anyMatch(p -> p.type.equals(type) && p.name.equals(plugin.name()))) {
                    failures.add(type + " plugin " + plugin.name() + " from " + moduleName
                            + ": a plugin of that name is already loaded");
                    continue;
                }
                plugins.add(new LoadedPlugin(type, plugin.name(), plugin.description(), moduleName, plugin, null));
            } catch (java.util.ServiceConfigurationError | RuntimeException e) {
                failures.add(type + " plugin " + provider.type().getName() + ": " + e.getMessage());
                LOG.warn(
                        "{} plugin {} failed to load: {}", type, provider.type().getName(), e.toString());
            }
        }
        plugins.sort(Comparator.comparing(LoadedPlugin::type).thenComparing(LoadedPlugin::name));
    }

    public List<LoadedPlugin> all() {
        return List.copyOf(plugins);
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    public List<SchedulerStrategy> schedulers() {
        return all(SchedulerStrategy.class);
    }

    public List<SchedulerFilter> filters() {
        return all(SchedulerFilter.class);
    }

    public List<TaskRuntimeProvider> runtimes() {
        return all(TaskRuntimeProvider.class);
    }

    public Optional<TaskRuntimeProvider> runtime(String name) {
        return runtimes().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The loaded plugins that implement {@code type} (an SPI of {@link #KINDS}), by type then name. */
    public <T extends Plugin> List<T> all(Class<T> type) {
        return plugins.stream()
                .map(LoadedPlugin::plugin)
                .filter(type::isInstance)
                .map(type::cast)
                .toList();
    }
}
