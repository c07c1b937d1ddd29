package io.skep.core.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One placement constraint, {@code key==value} or {@code key!=value}, as {@code --constraint} takes it.
 * Keys: {@code node.id}, {@code node.hostname}, {@code node.role}, {@code node.ip},
 * {@code node.platform.os}, {@code node.platform.arch}, {@code node.labels.<key>},
 * {@code engine.labels.<key>}. Label values compare exactly; the others ignore case, as in Swarm.
 */
public record Constraint(String key, boolean equal, String value) {
    private static final Pattern SYNTAX = Pattern.compile("^\\s*([\\w.\\-]+)\\s*(==|!=)\\s*(.*?)\\s*$");
    private static final List<String> KEYS =
            List.of("node.id", "node.hostname", "node.role", "node.ip", "node.platform.os", "node.platform.arch");

    /** Parses constraints; a malformed one is an {@link IllegalArgumentException} naming it. */
    public static List<Constraint> parseAll(List<String> expressions) {
        List<Constraint> out = new ArrayList<>();
        if (expressions != null) {
            for (String e : expressions) {
                out.add(parse(e));
            }
        }
        return out;
    }

    public static Constraint parse(String expression) {
        Matcher m = SYNTAX.matcher(expression == null ? "" : expression);
        if (!m.matches() || m.group(3).isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid constraint \"" + expression + "\": expected <key>==<value> or <key>!=<value>");
        }
        String key = m.group(1);
        boolean label = key.startsWith("node.labels.") || key.startsWith("engine.labels.");
        if (!label && !KEYS.contains(key.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("invalid constraint \"" + expression + "\": unknown key " + key);
        }
        return new Constraint(
                label ? key : key.toLowerCase(Locale.ROOT), m.group(2).equals("=="), m.group(3));
    }

    public boolean matches(Map<String, String> attributes) {
        String actual = attributes.get(key);
        boolean same =
                actual != null && (key.contains(".labels.") ? actual.equals(value) : actual.equalsIgnoreCase(value));
        return equal == same;
    }
}
