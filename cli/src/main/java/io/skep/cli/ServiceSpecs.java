package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.client.ApiPath;
import io.skep.client.DaemonClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Parsing of the service flags into ServiceSpec pieces, the way the docker CLI's {@code opts} do it. */
final class ServiceSpecs {

    private ServiceSpecs() {}

    /** {@code k=v} pairs (and bare {@code k}, value empty) into a map, later keys winning. */
    static Map<String, String> keyValues(List<String> values) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq < 0) {
                map.put(v, "");
            } else {
                map.put(v.substring(0, eq), v.substring(eq + 1));
            }
        }
        return map;
    }

    /** The key of an environment entry {@code K=V}. */
    static String envKey(String entry) {
        int eq = entry.indexOf('=');
        return eq < 0 ? entry : entry.substring(0, eq);
    }

    /**
     * docker's {@code opts.ValidateEnv}: {@code K=V} as is; a bare {@code K} takes the value of {@code K} in the
     * caller's environment when it has one.
     */
    static String env(String value, Map<String, String> environment) {
        String key = envKey(value);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("invalid environment variable: " + value);
        }
        if (value.contains("=")) {
            return value;
        }
        String fromEnv = environment.get(key);
        return fromEnv != null ? key + "=" + fromEnv : value;
    }

    /**
     * docker's {@code makeEnv}: entries in order; an entry already present is kept where it is, a new value of a
     * key replaces the old one at the end.
     */
    static List<String> mergeEnv(List<String> current, List<String> add) {
        List<String> result = new ArrayList<>(current);
        for (String e : add) {
            if (result.contains(e)) {
                continue;
            }
            String key = envKey(e);
            result.removeIf(x -> envKey(x).equals(key));
            result.add(e);
        }
        return result;
    }

    /**
     * A published port: {@code [PUBLISHED:]TARGET[/PROTOCOL]} or
     * {@code published=8080,target=80[,protocol=tcp][,mode=ingress]}.
     */
    static ObjectNode port(String spec) {
        long published = 0;
        long target;
        String protocol = "tcp";
        String mode = "ingress";
        try {
            if (spec.contains("=")) {
                Long t = null;
                for (String field : spec.split(",")) {
                    int eq = field.indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("invalid field '" + field + "' must be a key=value pair");
                    }
                    String key = field.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                    String value = field.substring(eq + 1).trim();
                    switch (key) {
                        case "published" -> published = Long.parseLong(value);
                        case "target" -> t = Long.parseLong(value);
                        case "protocol" -> protocol = value.toLowerCase(Locale.ROOT);
                        case "mode" -> mode = value.toLowerCase(Locale.ROOT);
                        default -> throw new IllegalArgumentException("invalid field key " + key);
                    }
                }
                if (t == null) {
                    throw new IllegalArgumentException("missing mandatory field \"target\"");
                }
                target = t;
            } else {
                String rest = spec;
                int slash = rest.indexOf('/');
                if (slash >= 0) {
                    protocol = rest.substring(slash + 1).toLowerCase(Locale.ROOT);
                    rest = rest.substring(0, slash);
                }
                int colon = rest.lastIndexOf(':');
                if (colon >= 0) {
                    String pub = rest.substring(0, colon);
                    int hostColon = pub.lastIndexOf(':');
                    if (hostColon >= 0) {
                        throw new IllegalArgumentException("hostip is not supported");
                    }
                    published = pub.isEmpty() ? 0 : Long.parseLong(pub);
                    target = Long.parseLong(rest.substring(colon + 1));
                } else {
                    target = Long.parseLong(rest);
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port: " + spec);
        }
        if (!protocol.equals("tcp") && !protocol.equals("udp") && !protocol.equals("sctp")) {
            throw new IllegalArgumentException("invalid protocol '" + protocol + "' for " + spec);
        }
        if (!mode.equals("ingress") && !mode.equals("host")) {
            throw new IllegalArgumentException(
                    "invalid publish mode value (" + mode + "); must be either " + "'ingress' or 'host'");
        }
        if (target < 1 || target > 65535 || published < 0 || published > 65535) {
            throw new IllegalArgumentException("invalid port: " + spec);
        }
        ObjectNode p = Json.object();
        p.put("Protocol", protocol);
        p.put("TargetPort", target);
        p.put("PublishedPort", published);
        p.put("PublishMode", mode);
        return p;
    }

    /** Adds ports to a port list, replacing a port published on the same number and protocol. */
    static void addPorts(ArrayNode ports, List<ObjectNode> add) {
        for (ObjectNode p : add) {
            for (int i = ports.size() - 1; i >= 0; i--) {
                JsonNode q = ports.get(i);
                boolean samePublished = Json.number(p, "PublishedPort") != 0
                        && Json.number(q, "PublishedPort") == Json.number(p, "PublishedPort");
                boolean sameTarget = Json.number(q, "TargetPort") == Json.number(p, "TargetPort")
                        && Json.number(q, "PublishedPort") == Json.number(p, "PublishedPort");
                if ((samePublished || sameTarget) && Json.text(q, "Protocol").equals(Json.text(p, "Protocol"))) {
                    ports.remove(i);
                }
            }
            ports.add(p);
        }
    }

    /** Removes the ports whose target matches {@code TARGET[/PROTOCOL]}. */
    static void removePorts(ArrayNode ports, List<String> remove) {
        for (String r : remove) {
            String target = r;
            String protocol = null;
            int slash = r.indexOf('/');
            if (slash >= 0) {
                target = r.substring(0, slash);
                protocol = r.substring(slash + 1).toLowerCase(Locale.ROOT);
            }
            int colon = target.lastIndexOf(':');
            if (colon >= 0) {
                target = target.substring(colon + 1);
            }
            for (int i = ports.size() - 1; i >= 0; i--) {
                JsonNode q = ports.get(i);
                if (Json.text(q, "TargetPort").equals(target)
                        && (protocol == null || Json.text(q, "Protocol").equals(protocol))) {
                    ports.remove(i);
                }
            }
        }
    }

    /**
     * A {@code --placement-pref} value as the API takes it: {@code spread=node.labels.az} is
     * {@code {"Spread":{"SpreadDescriptor":"node.labels.az"}}}; docker's words for anything else (the caller names
     * the flag).
     */
    static ObjectNode preference(String value) {
        int eq = value.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("placement preference must be of the format \"<strategy>=<arg>\"");
        }
        String strategy = value.substring(0, eq);
        if (!strategy.equals("spread")) {
            throw new IllegalArgumentException(
                    "unsupported placement preference " + strategy + " (only spread is supported)");
        }
        ObjectNode pref = Json.object();
        pref.putObject("Spread").put("SpreadDescriptor", value.substring(eq + 1));
        return pref;
    }

    /** A preference of the API as the flag writes it ({@code spread=node.labels.az}). */
    static String preferenceText(com.fasterxml.jackson.databind.JsonNode pref) {
        return "spread=" + Json.text(pref, "Spread", "SpreadDescriptor");
    }

    static ObjectNode network(DaemonClient api, String spec) {
        String name = spec;
        List<String> aliases = new ArrayList<>();
        if (spec.contains("=")) {
            name = null;
            for (String field : spec.split(",")) {
                int eq = field.indexOf('=');
                String key = eq < 0 ? field : field.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = eq < 0 ? "" : field.substring(eq + 1).trim();
                switch (key) {
                    case "name" -> name = value;
                    case "alias" -> aliases.add(value);
                    default -> throw new IllegalArgumentException("invalid field key " + key);
                }
            }
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("network name is missing");
            }
        }
        JsonNode nw = api.get(ApiPath.of("/networks/{}", name).query("scope", "swarm"))
                .body();
        String id = Json.text(nw, "Id");
        if (id.isEmpty()) {
            id = Json.text(nw, "ID");
        }
        ObjectNode attachment = Json.object();
        attachment.put("Target", id.isEmpty() ? name : id);
        if (!aliases.isEmpty()) {
            attachment.set("Aliases", Json.stringArray(aliases));
        }
        return attachment;
    }

    /** POSIX-shell word splitting for {@code --args} (docker's {@code ShlexOpt}). */
    static List<String> shellSplit(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                word.append(s.charAt(i + 1));
                inWord = true;
                i += 2;
            } else if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("EOF found when expecting closing quote");
                }
                word.append(s, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < s.length()) {
                    char d = s.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < s.length() && "\"\\$`\n".indexOf(s.charAt(i + 1)) >= 0) {
                        word.append(s.charAt(i + 1));
                        i += 2;
                    } else {
                        word.append(d);
                        i++;
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("EOF found when expecting closing quote");
                }
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
