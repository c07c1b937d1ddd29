package io.skep.core.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.io.PrintStream;
import java.util.List;

/** docker's {@code inspect.Inspect}: an indented JSON array by default, compact with {@code json}, or a template. */
final class Inspection {

    private Inspection() {
    }

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
        elements.forEach(a::add);
        return a;
    }
}
