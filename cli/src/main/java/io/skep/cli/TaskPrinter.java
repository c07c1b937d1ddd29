package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.client.ApiPath;
import io.skep.client.DaemonClient;
import io.skep.client.DaemonException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** docker's {@code task.Print}: the task table of {@code service ps} (and {@code node ps}). */
final class TaskPrinter {

    static final String DEFAULT_TABLE = "table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}"
            + "\t{{.CurrentState}}\t{{.Error}}\t{{.Ports}}";

    static final Map<String, String> HEADERS = Map.of(
            "ID",
            "ID",
            "Name",
            "NAME",
            "Image",
            "IMAGE",
            "Node",
            "NODE",
            "DesiredState",
            "DESIRED STATE",
            "CurrentState",
            "CURRENT STATE",
            "Error",
            "ERROR",
            "Ports",
            "PORTS");

    private static final int MAX_ERR_LENGTH = 30;

    private final DaemonClient api;
    private final boolean noResolve;
    private final Map<String, String> serviceNames = new HashMap<>();
    private final Map<String, String> nodeNames = new HashMap<>();

    TaskPrinter(DaemonClient api, boolean noResolve) {
        this.api = api;
        this.noResolve = noResolve;
    }

    /** The table (or formatted lines) for {@code tasks}. */
    String print(List<JsonNode> tasks, boolean trunc, boolean quiet, String format, Instant now) {
        record Named(JsonNode task, String name, Instant created) {}
        List<Named> named = new ArrayList<>();
        for (JsonNode task : tasks) {
            String service = serviceName(Json.text(task, "ServiceID"));
            long slot = Json.number(task, "Slot");
            String name = slot != 0 ? service + "." + slot : service + "." + Json.text(task, "NodeID");
            named.add(new Named(task, name, Text.parseTime(Json.text(task, "CreatedAt"))));
        }
        // All tasks of one slot together, the most recent first (a stable sort, as docker's).
        named.sort(Comparator.comparing(Named::name, Text.NATURAL)
                .thenComparing(Named::created, Comparator.reverseOrder()));

        String fmt = format == null || format.isEmpty() || format.equals("table")
                ? (quiet ? "{{.ID}}" : DEFAULT_TABLE)
                : format;
        boolean table = fmt.startsWith("table");
        List<Map<String, String>> rows = new ArrayList<>();
        String prevName = "";
        for (Named n : named) {
            String display = n.name().equals(prevName) && table ? " \\_ " + n.name() : n.name();
            prevName = n.name();
            rows.add(row(n.task(), display, nodeName(Json.text(n.task(), "NodeID")), trunc, now));
        }
        return Template.renderRows(fmt, HEADERS, rows);
    }

    static Map<String, String> row(JsonNode task, String name, String node, boolean trunc, Instant now) {
        Map<String, String> row = new LinkedHashMap<>();
        String id = Json.text(task, "ID");
        row.put("ID", trunc ? Text.truncateId(id) : id);
        row.put("Name", name);
        String image = Json.text(task, "Spec", "ContainerSpec", "Image");
        row.put("Image", trunc ? displayImage(image) : image);
        row.put("Node", node);
        row.put("DesiredState", Text.prettyPrint(Json.text(task, "DesiredState")));
        Instant at = Text.parseTime(Json.text(task, "Status", "Timestamp"));
        row.put(
                "CurrentState",
                Text.prettyPrint(Json.text(task, "Status", "State")) + " "
                        + Text.humanDuration(Text.since(at, now)).toLowerCase(Locale.ROOT) + " ago");
        String err = Json.text(task, "Status", "Err");
        if (trunc) {
            err = Text.ellipsis(err, MAX_ERR_LENGTH);
        }
        row.put("Error", err.isEmpty() ? "" : "\"" + err + "\"");
        List<String> ports = new ArrayList<>();
        for (JsonNode p : Json.elements(Json.at(task, "Status", "PortStatus", "Ports"))) {
            ports.add("*:" + Json.text(p, "PublishedPort") + "->" + Json.text(p, "TargetPort") + "/"
                    + Json.text(p, "Protocol"));
        }
        row.put("Ports", String.join(",", ports));
        return row;
    }

    /** The service's name, or its ID when it cannot be looked up (docker's idresolver). */
    String serviceName(String id) {
        if (noResolve || id.isEmpty()) {
            return id;
        }
        return serviceNames.computeIfAbsent(id, k -> {
            try {
                JsonNode s = api.get(ApiPath.of("/services/{}", k).query("insertDefaults", "false"))
                        .body();
                return Json.text(s, "Spec", "Name");
            } catch (DaemonException e) {
                return k;
            }
        });
    }

    /** The node's name or hostname, or its ID when it cannot be looked up. */
    String nodeName(String id) {
        if (noResolve || id.isEmpty()) {
            return id;
        }
        return nodeNames.computeIfAbsent(id, k -> {
            try {
                JsonNode n = api.get(ApiPath.of("/nodes/{}", k)).body();
                String name = Json.text(n, "Spec", "Name");
                if (!name.isEmpty()) {
                    return name;
                }
                String hostname = Json.text(n, "Description", "Hostname");
                return hostname.isEmpty() ? k : hostname;
            } catch (DaemonException e) {
                return k;
            }
        });
    }

    /**
     * The image as the docker CLI shows it in tables: a tagged reference loses its digest and the default
     * registry's prefix ({@code docker.io/library/nginx:1@sha256:..} is {@code nginx:1}); anything else is shown
     * as is.
     */
    static String displayImage(String image) {
        int at = image.indexOf('@');
        String name = at >= 0 ? image.substring(0, at) : image;
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        if (colon <= slash) {
            return image; // no tag
        }
        for (String prefix : List.of("docker.io/", "index.docker.io/")) {
            if (name.startsWith(prefix)) {
                String rest = name.substring(prefix.length());
                if (rest.startsWith("library/") && rest.indexOf('/', "library/".length()) < 0) {
                    rest = rest.substring("library/".length());
                }
                return rest;
            }
        }
        return name;
    }
}
