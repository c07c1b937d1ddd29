package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reading the daemon's JSON trees, and printing them the way the docker CLI does. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {}

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** The node at {@code path}, or a missing node; never {@code null}. */
    static JsonNode at(JsonNode node, String... path) {
        JsonNode n = node == null ? MissingNode.getInstance() : node;
        for (String p : path) {
            n = n.path(p);
        }
        return n;
    }

    /** {@code true} when the node at {@code path} exists and is not JSON {@code null}. */
    static boolean has(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        return !n.isMissingNode() && !n.isNull();
    }

    /** The text at {@code path}; {@code ""} when missing or null; numbers and booleans as their JSON text. */
    static String text(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        if (n.isMissingNode() || n.isNull()) {
            return "";
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }

    static long number(JsonNode node, String... path) {
        return at(node, path).asLong(0);
    }

    /** The elements of an array (empty for anything else). */
    static List<JsonNode> elements(JsonNode node) {
        List<JsonNode> list = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(list::add);
        }
        return list;
    }

    /** The strings of an array of strings. */
    static List<String> strings(JsonNode node) {
        List<String> list = new ArrayList<>();
        for (JsonNode e : elements(node)) {
            list.add(e.asText());
        }
        return list;
    }

    /** The object at {@code path} of {@code parent}, created (or replaced, when not an object) if needed. */
    static ObjectNode objectAt(ObjectNode parent, String... path) {
        ObjectNode n = parent;
        for (String p : path) {
            JsonNode child = n.get(p);
            if (child instanceof ObjectNode o) {
                n = o;
            } else {
                n = n.putObject(p);
            }
        }
        return n;
    }

    static ArrayNode stringArray(List<String> values) {
        ArrayNode a = array();
        values.forEach(a::add);
        return a;
    }

    static ObjectNode stringMap(Map<String, String> values) {
        ObjectNode o = object();
        values.forEach(o::put);
        return o;
    }

    /** Compact JSON, one line, numbers written as Go writes them. */
    static String compact(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        write(sb, node, -1);
        return sb.toString();
    }

    /**
     * Indented JSON exactly as Go's {@code json.Indent(dst, src, "", "    ")} lays it out (what {@code docker
     * inspect} prints): four spaces, {@code "key": value}, empty objects and arrays kept as {@code {}} and
     * {@code []}.
     */
    static String indent(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        write(sb, node, 0);
        return sb.toString();
    }

    /** Writes {@code node}; a negative depth writes compact JSON. */
    private static void write(StringBuilder sb, JsonNode node, int depth) {
        boolean pretty = depth >= 0;
        if (node == null) {
            sb.append("null");
        } else if (node.isObject()) {
            if (node.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append(pretty ? "{\n" : "{");
            Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                pad(sb, depth + 1);
                sb.append(TextNode.valueOf(e.getKey()).toString()).append(pretty ? ": " : ":");
                write(sb, e.getValue(), pretty ? depth + 1 : -1);
                if (it.hasNext()) {
                    sb.append(',');
                }
                if (pretty) {
                    sb.append('\n');
                }
            }
            pad(sb, depth);
            sb.append('}');
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append(pretty ? "[\n" : "[");
            for (int i = 0; i < node.size(); i++) {
                pad(sb, depth + 1);
                write(sb, node.get(i), pretty ? depth + 1 : -1);
                if (i + 1 < node.size()) {
                    sb.append(',');
                }
                if (pretty) {
                    sb.append('\n');
                }
            }
            pad(sb, depth);
            sb.append(']');
        } else if (node.isFloatingPointNumber()) {
            sb.append(goFloat(node.doubleValue()));
        } else {
            sb.append(node.toString());
        }
    }

    private static void pad(StringBuilder sb, int depth) {
        if (depth > 0) {
            sb.append("    ".repeat(depth));
        }
    }

    /** A float as Go's {@code encoding/json} writes it: {@code 0}, {@code 0.5}, {@code 1e-7}, {@code 1e+21}. */
    static String goFloat(double f) {
        if (Double.isNaN(f) || Double.isInfinite(f)) {
            return "null";
        }
        double abs = Math.abs(f);
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
            BigDecimal bd = new BigDecimal(Double.toString(f)).stripTrailingZeros();
            int exponent = bd.precision() - bd.scale() - 1;
            BigDecimal mantissa = bd.movePointLeft(exponent).stripTrailingZeros();
            return mantissa.toPlainString() + "e" + (exponent < 0 ? "-" : "+") + Math.abs(exponent);
        }
        if (f == Math.rint(f)) {
            return new BigDecimal(f).toBigInteger().toString();
        }
        return new BigDecimal(Double.toString(f)).stripTrailingZeros().toPlainString();
    }
}
