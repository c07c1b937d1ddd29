package io.skep.bench.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Mutations of a valid Docker-API body, each described in a line that is the minimal form of the request it makes
 * (one valid body, one change): a value of the wrong JSON type, a huge or negative value, a strange string, a field
 * removed or added, and broken JSON text. Seeded: the same seed makes the same mutations.
 */
final class Mutator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A mutated body and what was done to the valid one. */
    record Mutated(byte[] body, String what) {}

    /** A place in a body: the steps to it (field names and list indexes) and what is there. */
    private record Place(List<Object> steps, JsonNode node) {
        String path() {
            StringBuilder b = new StringBuilder();
            for (Object s : steps) {
                if (s instanceof Integer i) {
                    b.append('[').append(i).append(']');
                } else {
                    b.append(b.isEmpty() ? "" : ".").append(s);
                }
            }
            return b.isEmpty() ? "(the whole body)" : b.toString();
        }
    }

    private enum Kind {
        WRONG_TYPE,
        HUGE,
        NEGATIVE,
        STRANGE_STRING,
        REMOVED,
        UNKNOWN_FIELD,
        NULL
    }

    private final Random random;

    Mutator(Random random) {
        this.random = random;
    }

    /** One value of the wrong JSON type somewhere in the body (the whole body included). */
    Mutated wrongType(JsonNode base, Set<String> frozen) {
        return mutate(base, 1, frozen, List.of(Kind.WRONG_TYPE, Kind.NULL));
    }

    /** One huge, negative or strange value somewhere in the body. */
    Mutated hugeValue(JsonNode base, Set<String> frozen) {
        return mutate(base, 1, frozen, List.of(Kind.HUGE, Kind.NEGATIVE, Kind.STRANGE_STRING));
    }

    /** One to three changes of any kind (the frozen fields, such as a name that keeps a create from succeeding, kept). */
    Mutated anyChange(JsonNode base, Set<String> frozen) {
        return mutate(base, 1 + random.nextInt(3), frozen, List.of(Kind.values()));
    }

    private Mutated mutate(JsonNode base, int changes, Set<String> frozen, List<Kind> kinds) {
        JsonNode body = base.deepCopy();
        List<String> what = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            List<Place> places = new ArrayList<>();
            collect(body, new ArrayList<>(), places);
            places.removeIf(p -> frozen.contains(p.path()));
            Place place = places.get(random.nextInt(places.size()));
            Kind kind = kinds.get(random.nextInt(kinds.size()));
            JsonNode value = switch (kind) {
                case WRONG_TYPE -> otherType(place.node());
                case HUGE -> huge();
                case NEGATIVE ->
                    place.node().isNumber() && place.node().asLong() != 0
                            ? NODES.numberNode(-place.node().asLong())
                            : NODES.numberNode(-1);
                case STRANGE_STRING -> NODES.textNode(strangeString());
                case NULL -> NODES.nullNode();
                case REMOVED, UNKNOWN_FIELD -> null;
            };
            if (kind == Kind.REMOVED && !place.steps().isEmpty()) {
                remove(body, place.steps());
                what.add("remove " + place.path());
            } else if (kind == Kind.UNKNOWN_FIELD || kind == Kind.REMOVED) { // the whole body cannot go: add instead
                JsonNode target = place.node().isObject() ? place.node() : body;
                if (!target.isObject()) {
                    continue;
                }
                String name = "Fuzz" + random.nextInt(1000);
                JsonNode v = otherType(NODES.nullNode());
                ((ObjectNode) target).set(name, v);
                what.add("add " + name + " = " + shown(v) + " to "
                        + (target == body ? "(the whole body)" : place.path()));
            } else if (place.steps().isEmpty()) {
                body = value;
                what.add("the whole body ← " + shown(value));
            } else {
                set(body, place.steps(), value);
                what.add(place.path() + " ← " + shown(value));
            }
        }
        return new Mutated(bytes(body), String.join("; ", what));
    }

    /** The text of a valid body, broken: cut short, a character dropped or added, garbage, bytes that are not UTF-8. */
    Mutated brokenJson(JsonNode base) {
        String text = base.toString();
        int at = text.isEmpty() ? 0 : random.nextInt(text.length());
        String[] inserts = {"{", "}", "[", "]", "\"", ",", ":", "\\", "'", "\u0000", "NaN", "Infinity", "/*x*/", "\\u12"
        };
        return switch (random.nextInt(9)) {
            case 0 ->
                new Mutated(utf8(text.substring(0, at)), "cut after " + at + " of " + text.length() + " characters");
            case 1 ->
                new Mutated(
                        utf8(text.substring(0, at) + text.substring(Math.min(text.length(), at + 1))),
                        "character " + at + " dropped");
            case 2 -> {
                String insert = inserts[random.nextInt(inserts.length)];
                yield new Mutated(
                        utf8(text.substring(0, at) + insert + text.substring(at)),
                        "\"" + insert.replace("\u0000", "\\0") + "\" inserted at " + at);
            }
            case 3 -> new Mutated(utf8(text + " trailing garbage }"), "garbage after the body");
            case 4 -> new Mutated(utf8(text.replace('"', '\'')), "single quotes");
            case 5 -> {
                byte[] b = utf8(text);
                b[at % Math.max(1, b.length)] = (byte) (0x80 + random.nextInt(0x40)); // a lone continuation byte
                yield new Mutated(b, "an invalid UTF-8 byte at " + at);
            }
            case 6 -> new Mutated(utf8("\uFEFF" + text), "a byte-order mark first");
            case 7 -> new Mutated(utf8(text + text), "the body twice");
            default -> new Mutated(new byte[0], "an empty body");
        };
    }

    /** {@code depth} levels of nested lists or objects, alone or as a field of the body. */
    Mutated deeplyNested(JsonNode base, int depth) {
        boolean objects = random.nextBoolean();
        StringBuilder b = new StringBuilder();
        b.append((objects ? "{\"a\":" : "[").repeat(depth)).append('1').append((objects ? "}" : "]").repeat(depth));
        if (base.isObject() && random.nextBoolean()) {
            String field = base.fieldNames().hasNext() ? base.fieldNames().next() : "X";
            ObjectNode copy = base.deepCopy();
            copy.remove(field);
            String rest = copy.toString();
            String body = "{\"" + field + "\":" + b + (rest.length() > 2 ? "," + rest.substring(1) : "}");
            return new Mutated(utf8(body), field + " ← " + depth + " nested " + (objects ? "objects" : "lists"));
        }
        return new Mutated(
                utf8(b.toString()), "the whole body ← " + depth + " nested " + (objects ? "objects" : "lists"));
    }

    /** A value of a JSON type other than {@code of}'s. */
    private JsonNode otherType(JsonNode of) {
        while (true) {
            JsonNode v = switch (random.nextInt(8)) {
                case 0 -> NODES.textNode("fuzz");
                case 1 -> NODES.numberNode(12345);
                case 2 -> NODES.numberNode(1.5);
                case 3 -> NODES.booleanNode(true);
                case 4 -> NODES.nullNode();
                case 5 -> NODES.arrayNode().add(1).add("a");
                case 6 -> NODES.objectNode().put("a", 1);
                default -> NODES.arrayNode();
            };
            if (v.getNodeType() != of.getNodeType()) {
                return v;
            }
        }
    }

    private JsonNode huge() {
        return switch (random.nextInt(9)) {
            case 0 -> NODES.numberNode(Long.MAX_VALUE);
            case 1 -> NODES.numberNode(Long.MIN_VALUE);
            case 2 -> NODES.numberNode(1e308);
            case 3 -> NODES.numberNode(new BigInteger("9".repeat(40)));
            case 4 -> NODES.textNode("x".repeat(100_000));
            case 5 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = 0; i < 5_000; i++) {
                    a.add("e" + i);
                }
                yield a;
            }
            case 6 -> {
                ObjectNode o = NODES.objectNode();
                for (int i = 0; i < 5_000; i++) {
                    o.put("k" + i, "v");
                }
                yield o;
            }
            case 7 -> NODES.numberNode(1_000_000_000L);
            default -> NODES.numberNode(Integer.MAX_VALUE + 1L);
        };
    }

    private String strangeString() {
        String[] strings = {
            "",
            " ",
            "\u0000",
            "../../../etc/passwd",
            "%s%n%x",
            "\u202e\u0301",
            "😀".repeat(100),
            "a\r\nX-Injected: 1",
            "${jndi:ldap://x}",
            "-1",
            "NaN",
            "true",
            "node.role==",
            "==",
            "a".repeat(5_000),
            "\\",
            "\t",
            "'; DROP TABLE x; --"
        };
        return strings[random.nextInt(strings.length)];
    }

    private static void collect(JsonNode node, List<Object> steps, List<Place> out) {
        out.add(new Place(List.copyOf(steps), node));
        if (node.isObject()) {
            node.properties().forEach(e -> {
                steps.add(e.getKey());
                collect(e.getValue(), steps, out);
                steps.removeLast();
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                steps.add(i);
                collect(node.get(i), steps, out);
                steps.removeLast();
            }
        }
    }

    private static JsonNode parent(JsonNode body, List<Object> steps) {
        JsonNode n = body;
        for (Object s : steps.subList(0, steps.size() - 1)) {
            n = s instanceof Integer i ? n.get(i) : n.get((String) s);
        }
        return n;
    }

    private static void set(JsonNode body, List<Object> steps, JsonNode value) {
        JsonNode parent = parent(body, steps);
        Object last = steps.getLast();
        if (last instanceof Integer i) {
            ((ArrayNode) parent).set(i, value);
        } else {
            ((ObjectNode) parent).set((String) last, value);
        }
    }

    private static void remove(JsonNode body, List<Object> steps) {
        JsonNode parent = parent(body, steps);
        Object last = steps.getLast();
        if (last instanceof Integer i) {
            ((ArrayNode) parent).remove(i);
        } else {
            ((ObjectNode) parent).remove((String) last);
        }
    }

    /** A value as a report line shows it: at most 60 characters. */
    static String shown(JsonNode v) {
        String s = v.toString();
        return s.length() <= 60 ? s : s.substring(0, 60) + "… (" + s.length() + " characters)";
    }

    static byte[] bytes(JsonNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
