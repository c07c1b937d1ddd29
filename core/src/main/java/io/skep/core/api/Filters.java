package io.skep.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.api.model.Json;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@code filters} query parameter: JSON of {@code map[string]map[string]bool} (or the legacy
 * {@code map[string][]string}).
 */
public record Filters(Map<String, Set<String>> values) {

    public static Filters parse(String json, Set<String> allowed) {
        Map<String, Set<String>> out = new HashMap<>();
        if (json == null || json.isBlank()) {
            return new Filters(out);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid filter: " + e.getMessage());
        }
        if (!root.isObject()) {
            throw ApiException.badRequest("invalid filter: expected a JSON object, got " + json);
        }
        for (var field : root.properties()) {
            if (!allowed.contains(field.getKey())) {
                throw ApiException.badRequest("invalid filter '" + field.getKey() + "'");
            }
            Set<String> values = new LinkedHashSet<>();
            JsonNode v = field.getValue();
            if (v.isArray()) {
                v.forEach(e -> values.add(e.asText()));
            } else if (v.isObject()) {
                v.properties().forEach(e -> {
                    if (e.getValue().asBoolean(true)) {
                        values.add(e.getKey());
                    }
                });
            } else {
                throw ApiException.badRequest("invalid filter '" + field.getKey() + "': expected an object or a list");
            }
            out.put(field.getKey(), values);
        }
        return new Filters(out);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** No filter of that name, or one of its values matches. */
    public boolean matches(String name, java.util.function.Predicate<String> test) {
        Set<String> wanted = values.get(name);
        return wanted == null || wanted.stream().anyMatch(test);
    }

    /** Docker's label filter: {@code key} or {@code key=value}, all of them must match. */
    public boolean matchesLabels(String name, Map<String, String> labels) {
        Set<String> wanted = values.get(name);
        if (wanted == null) {
            return true;
        }
        Map<String, String> have = labels == null ? Map.of() : labels;
        for (String w : wanted) {
            int eq = w.indexOf('=');
            if (eq < 0 ? !have.containsKey(w) : !w.substring(eq + 1).equals(have.get(w.substring(0, eq)))) {
                return false;
            }
        }
        return true;
    }
}
