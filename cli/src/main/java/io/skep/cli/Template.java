package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The subset of docker's Go-template {@code --format} that scripts use: {@code table} layouts and plain lines
 * built from {@code {{.Field}}}, {@code {{json .}}} and {@code {{json .Field}}}, with {@code \t} and {@code \n}
 * escapes. Rows are maps from field name to display text; fields starting with {@code _} are layout helpers that
 * {@code {{json .}}} leaves out.
 *
 * <p>On inspect output ({@link #renderNode}) a field path walks the JSON object: {@code {{.Spec.Name}}}.
 */
final class Template {

    private sealed interface Part permits Literal, Field, JsonOf {}

    private record Literal(String text) implements Part {}

    /** {@code {{.A.B}}}; an empty path is {@code .}. */
    private record Field(List<String> path) implements Part {}

    /** {@code {{json .A}}}. */
    private record JsonOf(List<String> path) implements Part {}

    private final List<Part> parts;
    private final boolean table;

    private Template(List<Part> parts, boolean table) {
        this.parts = parts;
        this.table = table;
    }

    boolean isTable() {
        return table;
    }

    /**
     * Parses {@code format}; {@code table ...} gives a table template.
     *
     * @throws CliException {@code template parsing error: ...}
     */
    static Template parse(String format) {
        boolean table = false;
        String src = format;
        if (src.startsWith("table")) {
            table = true;
            src = src.substring("table".length());
        }
        src = src.strip().replace("\\t", "\t").replace("\\n", "\n");
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < src.length()) {
            int open = src.indexOf("{{", i);
            if (open < 0) {
                parts.add(new Literal(src.substring(i)));
                break;
            }
            if (open > i) {
                parts.add(new Literal(src.substring(i, open)));
            }
            int close = src.indexOf("}}", open + 2);
            if (close < 0) {
                throw new CliException("template parsing error: template: :1: unclosed action");
            }
            String action = src.substring(open + 2, close).strip();
            if (action.startsWith("-")) {
                action = action.substring(1).strip();
            }
            if (action.endsWith("-")) {
                action = action.substring(0, action.length() - 1).strip();
            }
            parts.add(parseAction(action));
            i = close + 2;
        }
        return new Template(parts, table);
    }

    private static Part parseAction(String action) {
        if (action.startsWith("json ")) {
            return new JsonOf(path(action.substring(5).strip(), action));
        }
        return new Field(path(action, action));
    }

    private static List<String> path(String ref, String action) {
        if (ref.equals(".")) {
            return List.of();
        }
        if (!ref.startsWith(".") || ref.contains(" ")) {
            throw new CliException("template parsing error: template: :1: unsupported action {{" + action
                    + "}} (skep supports {{.Field}}, {{json .}} and {{json .Field}})");
        }
        return List.of(ref.substring(1).split("\\."));
    }

    /** Renders one row map. */
    String render(Map<String, String> row) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Literal l -> sb.append(l.text());
                case Field f -> sb.append(rowValue(row, f.path()));
                case JsonOf j -> {
                    if (j.path().isEmpty()) {
                        ObjectNode o = Json.object();
                        new TreeMap<>(row).forEach((k, v) -> {
                            if (!k.startsWith("_")) {
                                o.put(k, v);
                            }
                        });
                        sb.append(o);
                    } else {
                        sb.append(TextNode.valueOf(rowValue(row, j.path())));
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String rowValue(Map<String, String> row, List<String> path) {
        if (path.size() != 1 || !row.containsKey(path.getFirst())) {
            String name = String.join(".", path);
            throw new CliException("template parsing error: template: :1: can't evaluate field " + name);
        }
        return row.get(path.getFirst());
    }

    /** Renders a JSON object (inspect {@code --format}). */
    String renderNode(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Literal l -> sb.append(l.text());
                case Field f -> sb.append(goText(walk(node, f.path())));
                case JsonOf j -> sb.append(Json.compact(walk(node, j.path())));
            }
        }
        return sb.toString();
    }

    private static JsonNode walk(JsonNode node, List<String> path) {
        JsonNode n = node;
        for (String p : path) {
            if (!n.isObject() || !n.has(p)) {
                throw new CliException("template parsing error: template: :1: map has no entry for key \"" + p + "\"");
            }
            n = n.get(p);
        }
        return n;
    }

    /** How Go's template prints a decoded JSON value: text as is, {@code <nil>} for null, JSON otherwise. */
    private static String goText(JsonNode n) {
        if (n.isNull()) {
            return "<nil>";
        }
        if (n.isValueNode()) {
            return n.asText();
        }
        return n.toString();
    }

    /**
     * Renders rows with a format: {@code table ...} gives a header line (fields shown through {@code headers})
     * and aligned columns; anything else gives one line per row.
     */
    static String renderRows(String format, Map<String, String> headers, List<Map<String, String>> rows) {
        Template t = parse(format);
        StringBuilder sb = new StringBuilder();
        if (t.isTable()) {
            TabWriter tw = new TabWriter(10, 3);
            tw.write(t.renderHeader(headers)).write("\n");
            for (Map<String, String> row : rows) {
                tw.write(t.render(row)).write("\n");
            }
            sb.append(tw.render());
        } else {
            for (Map<String, String> row : rows) {
                sb.append(t.render(row)).append('\n');
            }
        }
        return sb.toString();
    }

    private String renderHeader(Map<String, String> headers) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Literal l -> sb.append(l.text());
                case Field f -> sb.append(header(headers, f.path()));
                case JsonOf j -> sb.append(header(headers, j.path()));
            }
        }
        return sb.toString();
    }

    private static String header(Map<String, String> headers, List<String> path) {
        String name = String.join(".", path);
        return headers.getOrDefault(name, name.toUpperCase(java.util.Locale.ROOT));
    }
}
