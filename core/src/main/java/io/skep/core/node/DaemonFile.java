package io.skep.core.node;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The daemon's configuration file, as dockerd's daemon.json: a JSON object whose keys are the daemon's flags by
 * their long names ({@code "data-dir"}, {@code "raft-port"}), a repeatable flag under its plural ({@code "hosts"},
 * {@code "labels"}), and plugins' settings as {@code "plugin-opts": {"docker.concurrency": "10"}}. As dockerd: a
 * key that is no flag is refused, and so is a flag given both on the command line and in the file.
 */
public final class DaemonFile {

    /** Where the file is looked for when {@code --config-file} names none; its absence is fine. */
    public static final Path DEFAULT_PATH = Path.of("/etc/skep/daemon.json");
    /** Flags that make no sense in the file. */
    private static final Set<String> NOT_IN_FILE = Set.of("config-file", "help");

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private DaemonFile() {}

    /**
     * Sets the flags of {@code spec} that the file gives. {@code file} null reads {@link #DEFAULT_PATH} if it
     * exists; a file named but missing is an error.
     *
     * @return the file's keys (empty when there is no file)
     * @throws IllegalArgumentException naming the file and the keys it cannot take, and why
     */
    public static Set<String> apply(Path file, CommandSpec spec) {
        Path path = file == null ? DEFAULT_PATH : file;
        String prefix = "unable to configure the skep daemon with file " + path + ": ";
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(path));
        } catch (NoSuchFileException e) {
            if (file == null) {
                return Set.of();
            }
            throw new IllegalArgumentException(prefix + "open " + path + ": no such file or directory");
        } catch (JacksonException e) {
            throw new IllegalArgumentException(prefix + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(prefix + e.getMessage());
        }
        if (!(root instanceof ObjectNode object)) {
            throw new IllegalArgumentException(prefix + "the file must hold a JSON object");
        }
        Map<String, OptionSpec> byKey = keys(spec);
        Set<String> unknown = new TreeSet<>();
        object.fieldNames().forEachRemaining(key -> {
            if (!byKey.containsKey(key)) {
                unknown.add(key);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(prefix
                    + "the following directives don't match any configuration option: " + String.join(", ", unknown));
        }
        ParseResult parsed = spec.commandLine().getParseResult();
        List<String> conflicts = new ArrayList<>();
        Map<OptionSpec, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : object.properties()) {
            OptionSpec option = byKey.get(entry.getKey());
            if (parsed != null && parsed.hasMatchedOption(option)) {
                conflicts.add(entry.getKey() + ": (from flag: " + flagText(parsed.matchedOption(option.longestName()))
                        + ", from file: " + entry.getValue() + ")");
                continue;
            }
            try {
                values.put(option, value(option, entry.getValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + entry.getKey() + ": " + e.getMessage());
            }
        }
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException(prefix + "the following directives are specified both as a flag and in "
                    + "the configuration file: " + String.join(", ", conflicts));
        }
        values.forEach(OptionSpec::setValue);
        Set<String> keys = new TreeSet<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** Each flag by its key in the file: the long name without dashes, plural for a repeatable flag. */
    private static Map<String, OptionSpec> keys(CommandSpec spec) {
        Map<String, OptionSpec> byKey = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            String name = option.longestName().replaceFirst("^-+", "");
            if (!option.longestName().startsWith("--") || NOT_IN_FILE.contains(name)) {
                continue;
            }
            byKey.put(option.isMultiValue() ? name + "s" : name, option);
        }
        return byKey;
    }

    private static String flagText(OptionSpec matched) {
        return matched.isMultiValue() ? matched.stringValues().toString() : String.join(" ", matched.stringValues());
    }

    /** The file's value as the flag's type; a repeatable flag takes an array, or an object of key=value pairs. */
    private static Object value(OptionSpec option, JsonNode node) {
        if (option.isMultiValue()) {
            List<String> list = new ArrayList<>();
            if (node.isObject()) { // "plugin-opts": {"docker.concurrency": "10"}
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    list.add(e.getKey() + "=" + scalar(e.getValue(), e.getKey()));
                }
            } else if (node.isArray()) {
                for (JsonNode element : node) {
                    list.add(scalar(element, "an element"));
                }
            } else {
                throw new IllegalArgumentException("must be an array or an object, got " + node);
            }
            return list;
        }
        Class<?> type = option.type();
        if (type == int.class || type == Integer.class) {
            if (!node.canConvertToInt() || !node.isIntegralNumber()) {
                throw new IllegalArgumentException("must be a whole number, got " + node);
            }
            return node.intValue();
        }
        if (type == boolean.class || type == Boolean.class) {
            if (!node.isBoolean()) {
                throw new IllegalArgumentException("must be true or false, got " + node);
            }
            return node.booleanValue();
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("must be a string, got " + node);
        }
        if (type == Path.class) {
            return Path.of(node.textValue());
        }
        if (type == String.class) {
            return node.textValue();
        }
        throw new IllegalArgumentException("cannot be set in the file"); // a flag type this file does not read
    }

    private static String scalar(JsonNode node, String what) {
        if (!node.isValueNode() || node.isNull()) {
            throw new IllegalArgumentException(what + " must be a string, number or boolean, got " + node);
        }
        return node.asText();
    }
}
