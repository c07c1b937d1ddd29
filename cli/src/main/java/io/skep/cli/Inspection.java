package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;

/** docker's {@code inspect.Inspect}: an indented JSON array by default, compact with {@code json}, or a template. */
final class Inspection {

    private Inspection() {}

    static void print(PrintStream out, List<JsonNode> elements, String format) {
        if (format == null || format.isEmpty()) {
            out.println(elements.isEmpty() ? "[]" : Json.indent(array(elements)));
        } else if (format.equals("json")) {
            out.println(elements.isEmpty() ? "[]" : Json.compact(array(elements)));
        } else {
            Template t = Template.parse(format);
            StringBuilder sb = new StringBuilder();
            for (JsonNode e : elements) {
                sb.append(t.renderNode(e)).append('\n');
            }
            out.print(sb.length() == 0 ? "\n" : sb.toString());
        }
    }

    private static ArrayNode array(List<JsonNode> elements) {
        ArrayNode a = Json.array();
        elements.forEach(e -> a.add(idFirst(e)));
        return a;
    }

    /** The object with its {@code ID} first, where the docker CLI's typed output puts it. */
    static JsonNode idFirst(JsonNode element) {
        if (!(element instanceof ObjectNode o)
                || !o.has("ID")
                || o.properties().iterator().next().getKey().equals("ID")) {
            return element;
        }
        ObjectNode copy = Json.object();
        copy.set("ID", o.get("ID"));
        o.properties().forEach(e -> {
            if (!e.getKey().equals("ID")) {
                copy.set(e.getKey(), e.getValue());
            }
        });
        return copy;
    }
}
