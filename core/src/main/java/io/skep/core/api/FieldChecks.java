package io.skep.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks of one field of a request against one rule, each refusal a 400 in the API's words:
 * {@code invalid <Field>: <reason>, got <value>}. For typed fields (bound by Jackson, which already refused a wrong
 * JSON type) and for the fields a spec keeps as sent ({@link JsonNode}s), where the type is checked here.
 */
public final class FieldChecks {
    private FieldChecks() {}

    public static ApiException invalid(String field, String reason) {
        return ApiException.badRequest("invalid " + field + ": " + reason);
    }

    public static void nonNegative(Long value, String field) {
        if (value != null && value < 0) {
            throw invalid(field, "must be 0 or more, got " + value);
        }
    }

    /** {@code min <= value <= max}, the limit named as {@code what} ("replicas per service") when over it. */
    public static void range(Long value, long min, long max, String field, String what) {
        if (value == null) {
            return;
        }
        if (value < min) {
            throw invalid(field, "must be " + min + " or more, got " + value);
        }
        if (value > max) {
            throw invalid(field, "at most " + max + (what.isEmpty() ? "" : " " + what) + ", got " + value);
        }
    }

    /** Null, empty, or one of {@code allowed}. */
    public static void oneOf(String value, Collection<String> allowed, String field) {
        if (value != null && !value.isEmpty() && !allowed.contains(value)) {
            throw ApiException.badRequest("invalid " + field + " \"" + shown(value) + "\": expected "
                    + String.join(", ", allowed.stream().sorted().toList()));
        }
    }

    /** At most {@code max} characters, none of them NUL (no runtime, file or process takes one). */
    public static void text(String value, int max, String field) {
        if (value == null) {
            return;
        }
        if (value.length() > max) {
            throw invalid(field, "at most " + max + " characters, got " + value.length());
        }
        if (value.indexOf('\0') >= 0) {
            throw invalid(field, "contains a NUL character");
        }
    }

    /** At most {@link RequestLimits#ENTRIES} strings of at most {@code maxLength} characters, none of them null. */
    public static void texts(List<String> values, int maxLength, String field) {
        if (values == null) {
            return;
        }
        entries(values.size(), field);
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw invalid(field + "[" + i + "]", "a string is required, got null");
            }
            text(values.get(i), maxLength, field + "[" + i + "]");
        }
    }

    /** Labels: at most {@link RequestLimits#ENTRIES}, keys non-empty names, values strings (empty for none). */
    public static void labels(Map<String, String> labels, String field) {
        if (labels == null) {
            return;
        }
        entries(labels.size(), field);
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey().isEmpty()) {
                throw invalid(field, "a label's key cannot be empty");
            }
            text(e.getKey(), RequestLimits.NAME_LENGTH, field + " key");
            String name = field + "[" + shown(e.getKey()) + "]";
            if (e.getValue() == null) {
                throw invalid(name, "a label's value is a string (empty for none), got null");
            }
            text(e.getValue(), RequestLimits.VALUE_LENGTH, name);
        }
    }

    public static void entries(int size, String field) {
        if (size > RequestLimits.ENTRIES) {
            throw invalid(field, "at most " + RequestLimits.ENTRIES + " entries, got " + size);
        }
    }

    // Fields a spec keeps as sent: the node is missing, null, or of the type the field has in Docker's API.

    /** An integer field of {@code parent}, {@code min <= value <= max}. */
    public static void integer(JsonNode parent, String name, String field, long min, long max) {
        JsonNode n = parent.path(name);
        if (absent(n)) {
            return;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw invalid(field, "expected an integer, got " + shown(n));
        }
        range(n.asLong(), min, max, field, "");
    }

    /** A duration field, in nanoseconds as Docker sends them: an integer, 0 or more. */
    public static void duration(JsonNode parent, String name, String field) {
        JsonNode n = parent.path(name);
        if (absent(n)) {
            return;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw invalid(field, "expected nanoseconds, got " + shown(n));
        }
        if (n.asLong() < 0) {
            throw invalid(field, "cannot be a negative duration, got " + n.asLong());
        }
    }

    public static void bool(JsonNode parent, String name, String field) {
        JsonNode n = parent.path(name);
        if (!absent(n) && !n.isBoolean()) {
            throw invalid(field, "expected true or false, got " + shown(n));
        }
    }

    /** A string field of at most {@code max} characters. */
    public static void text(JsonNode parent, String name, String field, int max) {
        JsonNode n = parent.path(name);
        if (absent(n)) {
            return;
        }
        if (!n.isTextual()) {
            throw invalid(field, "expected a string, got " + shown(n));
        }
        text(n.asText(), max, field);
    }

    /** A string field, null, empty or one of {@code allowed}. */
    public static void oneOf(JsonNode parent, String name, Set<String> allowed, String field) {
        text(parent, name, field, RequestLimits.NAME_LENGTH);
        oneOf(parent.path(name).asText(null), allowed, field);
    }

    /** An object field: its own fields are checked apart. Returns it (a missing node when absent). */
    public static JsonNode object(JsonNode parent, String name, String field) {
        JsonNode n = parent.path(name);
        if (!absent(n) && !n.isObject()) {
            throw invalid(field, "expected an object, got " + shown(n));
        }
        return n;
    }

    /** A list of strings of at most {@code maxLength} characters each. */
    public static void texts(JsonNode parent, String name, String field, int maxLength) {
        JsonNode n = parent.path(name);
        if (absent(n)) {
            return;
        }
        if (!n.isArray()) {
            throw invalid(field, "expected a list of strings, got " + shown(n));
        }
        entries(n.size(), field);
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                throw invalid(field + "[" + i + "]", "expected a string, got " + shown(n.get(i)));
            }
            text(n.get(i).asText(), maxLength, field + "[" + i + "]");
        }
    }

    private static boolean absent(JsonNode n) {
        return n.isMissingNode() || n.isNull();
    }

    /** A value as a refusal shows it: at most 100 characters of it. */
    public static String shown(Object value) {
        String s = String.valueOf(value);
        return s.length() <= 100 ? s : s.substring(0, 100) + "…";
    }
}
