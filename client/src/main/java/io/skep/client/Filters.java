package io.skep.client;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * List filters as the Docker API takes them: {@code filters=} + the JSON of a {@code map[string]map[string]bool},
 * e.g. {@code {"service":{"<id>":true}}}. Keys keep their insertion order, so a request is reproducible.
 */
public final class Filters {

    private final Map<String, Map<String, Boolean>> values = new LinkedHashMap<>();

    public Filters() {}

    /** A filter set holding one {@code key=value}. */
    public static Filters of(String key, String value) {
        return new Filters().add(key, value);
    }

    /** Adds {@code value} to the values of {@code key}. */
    public Filters add(String key, String value) {
        values.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(value, Boolean.TRUE);
        return this;
    }

    /**
     * Adds a filter given on the command line as {@code key=value} (docker's {@code -f/--filter}); the key is
     * trimmed and lower-cased, the value trimmed.
     *
     * @throws IllegalArgumentException {@code bad format of filter (expected name=value)}
     */
    public Filters addFlag(String flag) {
        int eq = flag.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("bad format of filter (expected name=value)");
        }
        String key = flag.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = flag.substring(eq + 1).trim();
        return add(key, value);
    }

    /** Drops every value of {@code key}. */
    public Filters remove(String key) {
        values.remove(key);
        return this;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /** The values of {@code key}, in insertion order; empty when the key is absent. */
    public Set<String> get(String key) {
        Map<String, Boolean> v = values.get(key);
        return v == null ? Set.of() : java.util.Collections.unmodifiableSet(v.keySet());
    }

    /** A copy that can be changed without touching this one. */
    public Filters copy() {
        Filters copy = new Filters();
        values.forEach((k, v) -> v.keySet().forEach(value -> copy.add(k, value)));
        return copy;
    }

    public ObjectNode toJsonNode() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        values.forEach((key, vals) -> {
            ObjectNode inner = root.putObject(key);
            vals.forEach(inner::put);
        });
        return root;
    }

    /** The JSON text sent on the wire. */
    public String toJson() {
        return toJsonNode().toString();
    }

    @Override
    public String toString() {
        return toJson();
    }
}
