package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.client.ApiPath;
import io.skep.client.DaemonClient;
import io.skep.client.DaemonException;
import io.skep.client.Filters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code skep node}: manage swarm nodes. */
@Command(
        name = "node",
        customSynopsis = "skep node COMMAND",
        description = "Manage Swarm nodes",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            NodeCommand.Ls.class,
            NodeCommand.Inspect.class,
            NodeCommand.Ps.class,
            NodeCommand.Update.class,
            NodeCommand.Rm.class,
            NodeCommand.Promote.class,
            NodeCommand.Demote.class
        })
final class NodeCommand extends CommandGroup {

    static final String DEFAULT_TABLE = "table {{.ID}} {{._SelfMark}}\t{{.Hostname}}\t{{.Status}}\t{{.Availability}}"
            + "\t{{.ManagerStatus}}\t{{.EngineVersion}}";

    static final Map<String, String> HEADERS = Map.of(
            "ID",
            "ID",
            "_SelfMark",
            " ",
            "Self",
            "",
            "Hostname",
            "HOSTNAME",
            "Status",
            "STATUS",
            "Availability",
            "AVAILABILITY",
            "ManagerStatus",
            "MANAGER STATUS",
            "EngineVersion",
            "ENGINE VERSION",
            "TLSStatus",
            "TLS STATUS");

    /** {@code self} is this node: {@code GET /info} Swarm.NodeID. */
    static String reference(DaemonClient api, String ref) {
        if (!ref.equals("self")) {
            return ref;
        }
        String id = Json.text(api.get("/info").body(), "Swarm", "NodeID");
        if (id.isEmpty()) {
            throw new CliException("node ID not found in /info");
        }
        return id;
    }

    /** {@code skep node ls}. */
    @Command(
            name = "ls",
            customSynopsis = "skep node ls [OPTIONS]",
            aliases = "list",
            description = "List nodes in the swarm")
    static final class Ls extends ApiCommand {

        @Option(
                names = {"-q", "--quiet"},
                arity = "0..1",
                description = "Only display IDs")
        boolean quiet;

        @Option(
                names = "--format",
                paramLabel = "FORMAT",
                description = "Format output: table, json, or a Go-style template such as '{{.ID}}'")
        String format;

        @Option(
                names = {"-f", "--filter"},
                paramLabel = "FILTER",
                description = "Filter output based on conditions provided")
        List<String> filter = new ArrayList<>();

        @Override
        protected int run() {
            Filters filters = new Filters();
            for (String f : filter) {
                try {
                    filters.addFlag(f);
                } catch (IllegalArgumentException e) {
                    throw invalidFlag("--filter", f, e.getMessage());
                }
            }
            JsonNode nodes = api().get(ApiPath.of("/nodes").filters(filters)).body();
            if ("json".equals(format)) {
                out().println(Json.compact(nodes == null ? Json.array() : nodes));
                return 0;
            }
            List<JsonNode> list = Json.elements(nodes);
            JsonNode info = null;
            if (!list.isEmpty() && !quiet) {
                info = api().get("/info").body();
            }
            String selfId = Json.text(info, "Swarm", "NodeID");
            list.sort((a, b) -> Text.naturalCompare(
                    Json.text(a, "Description", "Hostname"), Json.text(b, "Description", "Hostname")));
            List<Map<String, String>> rows = new ArrayList<>();
            for (JsonNode n : list) {
                rows.add(row(n, selfId));
            }
            String fmt = format == null || format.isEmpty() || format.equals("table")
                    ? (quiet ? "{{.ID}}" : DEFAULT_TABLE)
                    : format;
            out().print(Template.renderRows(fmt, HEADERS, rows));
            return 0;
        }

        static Map<String, String> row(JsonNode n, String selfId) {
            Map<String, String> row = new LinkedHashMap<>();
            String id = Json.text(n, "ID");
            boolean self = !selfId.isEmpty() && id.equals(selfId);
            row.put("ID", id);
            row.put("Self", String.valueOf(self));
            row.put("_SelfMark", self ? "*" : " ");
            row.put("Hostname", Json.text(n, "Description", "Hostname"));
            row.put("Status", Text.prettyPrint(Json.text(n, "Status", "State")));
            row.put("Availability", Text.prettyPrint(Json.text(n, "Spec", "Availability")));
            String reachability = "";
            if (Json.has(n, "ManagerStatus")) {
                reachability = Json.at(n, "ManagerStatus", "Leader").asBoolean(false)
                        ? "Leader"
                        : Json.text(n, "ManagerStatus", "Reachability");
            }
            row.put("ManagerStatus", Text.prettyPrint(reachability));
            row.put("EngineVersion", Json.text(n, "Description", "Engine", "EngineVersion"));
            row.put("TLSStatus", "Unknown");
            return row;
        }
    }

    /** {@code skep node inspect}. */
    @Command(
            name = "inspect",
            customSynopsis = "skep node inspect [OPTIONS] self|NODE [NODE...]",
            description = "Display detailed information on one or more nodes")
    static final class Inspect extends ApiCommand {

        @Option(names = "--pretty", arity = "0..1", description = "Print the information in a human friendly format")
        boolean pretty;

        @Option(
                names = {"-f", "--format"},
                paramLabel = "FORMAT",
                description = "Format output: json, or a Go-style template such as '{{.Spec.Role}}'")
        String format;

        @Parameters(arity = "1..*", paramLabel = "NODE", description = "self, a node ID, name or hostname")
        List<String> refs;

        @Override
        protected int run() {
            if (pretty && format != null && !format.isEmpty()) {
                throw new CliException("--format is incompatible with human friendly format");
            }
            List<JsonNode> found = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (String ref : refs) {
                try {
                    found.add(api().get(ApiPath.of("/nodes/{}", reference(api(), ref)))
                            .body());
                } catch (DaemonException | CliException e) {
                    errors.add(Main.errorText(e));
                }
            }
            if (pretty) {
                for (JsonNode n : found) {
                    out().println(prettyNode(n));
                }
            } else {
                Inspection.print(out(), found, format);
            }
            if (!errors.isEmpty()) {
                throw new CliException(String.join("\n", errors));
            }
            return 0;
        }
    }

    /**
     * Sets the role of each node, with docker's lines: said when the node has it already, else changed (the
     * node's spec as read, at its version).
     */
    static void changeRole(ApiCommand cmd, List<String> refs, String role, String already, String done) {
        List<String> errors = new ArrayList<>();
        for (String ref : refs) {
            try {
                JsonNode node = cmd.api()
                        .get(ApiPath.of("/nodes/{}", reference(cmd.api(), ref)))
                        .body();
                if (role.equals(Json.text(node, "Spec", "Role"))) {
                    cmd.out().printf(already + "%n", ref);
                    continue;
                }
                com.fasterxml.jackson.databind.node.ObjectNode spec =
                        ((com.fasterxml.jackson.databind.node.ObjectNode) Json.at(node, "Spec")).deepCopy();
                spec.put("Role", role);
                cmd.api()
                        .post(
                                ApiPath.of("/nodes/{}/update", Json.text(node, "ID"))
                                        .query("version", Json.number(node, "Version", "Index")),
                                spec);
                cmd.out().printf(done + "%n", ref);
            } catch (DaemonException | CliException e) {
                errors.add(Main.errorText(e));
            }
        }
        if (!errors.isEmpty()) {
            throw new CliException(String.join("\n", errors));
        }
    }

    /** {@code skep node promote NODE...}: workers become managers (each joins the Raft group itself). */
    @Command(
            name = "promote",
            customSynopsis = "skep node promote NODE [NODE...]",
            description = "Promote one or more nodes to manager in the swarm")
    static final class Promote extends ApiCommand {
        @Parameters(arity = "1..*", paramLabel = "NODE")
        List<String> refs;

        @Override
        protected int run() {
            changeRole(
                    this,
                    refs,
                    "manager",
                    "Node %s is already a manager.",
                    "Node %s promoted to a manager in the swarm.");
            return 0;
        }
    }

    /** {@code skep node demote NODE...}: managers leave the Raft group and go on as workers. */
    @Command(
            name = "demote",
            customSynopsis = "skep node demote NODE [NODE...]",
            description = "Demote one or more nodes from manager in the swarm")
    static final class Demote extends ApiCommand {
        @Parameters(arity = "1..*", paramLabel = "NODE")
        List<String> refs;

        @Override
        protected int run() {
            changeRole(this, refs, "worker", "Node %s is already a worker.", "Manager %s demoted in the swarm.");
            return 0;
        }
    }

    /** {@code skep node rm [-f] NODE...}: removes nodes from the swarm; prints each one removed, as docker does. */
    @Command(
            name = "rm",
            customSynopsis = "skep node rm [OPTIONS] NODE [NODE...]",
            aliases = "remove",
            description = "Remove one or more nodes from the swarm")
    static final class Rm extends ApiCommand {

        @Option(
                names = {"-f", "--force"},
                description = "Force remove a node from the swarm")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "NODE", description = "A node ID, name or hostname")
        List<String> refs;

        @Override
        protected int run() {
            eachPrinted(
                    refs,
                    ref -> api().delete(ApiPath.of("/nodes/{}", reference(api(), ref))
                            .query("force", force)));
            return 0;
        }
    }

    /** {@code skep node ps [NODE...]}: the tasks on nodes (this one by default), as {@code service ps} shows them. */
    @Command(
            name = "ps",
            customSynopsis = "skep node ps [OPTIONS] [NODE...]",
            description = "List tasks running on one or more nodes, defaults to current node")
    static final class Ps extends ApiCommand {

        @picocli.CommandLine.Mixin
        TaskListOptions list;

        @Parameters(
                arity = "0..*",
                paramLabel = "NODE",
                description = "self (the default), a node ID, name or hostname")
        List<String> refs = new ArrayList<>();

        @Override
        protected int run() {
            List<JsonNode> tasks = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (String ref : refs.isEmpty() ? List.of("self") : refs) {
                try {
                    JsonNode node = api().get(ApiPath.of("/nodes/{}", reference(api(), ref)))
                            .body();
                    Filters filters = ServiceCommand.parseFilters(this, list.filter);
                    filters.add("node", Json.text(node, "ID"));
                    tasks.addAll(Json.elements(
                            api().get(ApiPath.of("/tasks").filters(filters)).body()));
                } catch (DaemonException | CliException e) {
                    errors.add(Main.errorText(e));
                }
            }
            if (!tasks.isEmpty() || errors.isEmpty()) {
                if ("json".equals(list.format)) {
                    com.fasterxml.jackson.databind.node.ArrayNode all = Json.array();
                    all.addAll(tasks);
                    out().println(Json.compact(all));
                } else {
                    out().print(new TaskPrinter(api(), list.noResolve)
                            .print(
                                    tasks,
                                    list.truncate(),
                                    list.quiet,
                                    list.format,
                                    ctx().clock.instant()));
                }
            }
            if (!errors.isEmpty()) {
                throw new CliException(String.join("\n", errors));
            }
            return 0;
        }
    }

    /** {@code skep node update}: availability, role and labels of a node; prints the node as it was named. */
    @Command(name = "update", customSynopsis = "skep node update [OPTIONS] NODE", description = "Update a node")
    static final class Update extends ApiCommand {

        @Option(
                names = "--availability",
                paramLabel = "STATE",
                description = "Availability of the node (\"active\", \"pause\", \"drain\")")
        String availability;

        @Option(names = "--role", paramLabel = "ROLE", description = "Role of the node (\"worker\", \"manager\")")
        String role;

        @Option(names = "--label-add", paramLabel = "LABEL", description = "Add or update a node label (key=value)")
        List<String> labelAdd = new ArrayList<>();

        @Option(names = "--label-rm", paramLabel = "LABEL", description = "Remove a node label if exists")
        List<String> labelRm = new ArrayList<>();

        @Parameters(index = "0", paramLabel = "NODE")
        String ref;

        @Override
        protected int run() {
            JsonNode node =
                    api().get(ApiPath.of("/nodes/{}", reference(api(), ref))).body();
            com.fasterxml.jackson.databind.node.ObjectNode spec =
                    Json.at(node, "Spec").isObject()
                            ? ((com.fasterxml.jackson.databind.node.ObjectNode) Json.at(node, "Spec")).deepCopy()
                            : Json.object();
            if (availability != null) {
                spec.put("Availability", availability.toLowerCase(java.util.Locale.ROOT));
            }
            if (role != null) {
                spec.put("Role", role.toLowerCase(java.util.Locale.ROOT));
            }
            if (!labelAdd.isEmpty() || !labelRm.isEmpty()) {
                Map<String, String> labels = stringMap(Json.at(node, "Spec", "Labels"));
                for (String add : labelAdd) {
                    int eq = add.indexOf('=');
                    labels.put(eq < 0 ? add : add.substring(0, eq), eq < 0 ? "" : add.substring(eq + 1));
                }
                for (String rm : labelRm) {
                    if (labels.remove(rm) == null) {
                        throw new CliException("key " + rm + " doesn't exist in node's labels");
                    }
                }
                com.fasterxml.jackson.databind.node.ObjectNode l = spec.putObject("Labels");
                labels.forEach(l::put);
            }
            api().post(
                            ApiPath.of("/nodes/{}/update", Json.text(node, "ID"))
                                    .query("version", Json.number(node, "Version", "Index")),
                            spec);
            out().println(ref);
            return 0;
        }
    }

    /** Docker's {@code nodeInspectPrettyTemplate}. */
    static String prettyNode(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        sb.append("ID:\t\t\t").append(Json.text(n, "ID")).append('\n');
        if (!Json.text(n, "Spec", "Name").isEmpty()) {
            sb.append("Name:\t\t\t").append(Json.text(n, "Spec", "Name")).append('\n');
        }
        JsonNode labels = Json.at(n, "Spec", "Labels");
        if (labels.isObject() && !labels.isEmpty()) {
            sb.append("Labels:\n");
            new TreeMap<>(stringMap(labels))
                    .forEach((k, v) -> sb.append(" - ")
                            .append(k)
                            .append(v.isEmpty() ? "" : "=" + v)
                            .append('\n'));
        }
        sb.append("Hostname:              \t")
                .append(Json.text(n, "Description", "Hostname"))
                .append('\n');
        sb.append("Joined at:             \t")
                .append(Text.prettyPrint(Text.goTimeString(Text.parseTime(Json.text(n, "CreatedAt")))))
                .append('\n');
        sb.append("Status:\n");
        sb.append(" State:\t\t\t")
                .append(Text.prettyPrint(Json.text(n, "Status", "State")))
                .append('\n');
        if (!Json.text(n, "Status", "Message").isEmpty()) {
            sb.append(" Message:              \t")
                    .append(Text.prettyPrint(Json.text(n, "Status", "Message")))
                    .append('\n');
        }
        sb.append(" Availability:         \t")
                .append(Text.prettyPrint(Json.text(n, "Spec", "Availability")))
                .append('\n');
        if (!Json.text(n, "Status", "Addr").isEmpty()) {
            sb.append(" Address:\t\t").append(Json.text(n, "Status", "Addr")).append('\n');
        }
        if (Json.has(n, "ManagerStatus")) {
            sb.append("Manager Status:\n");
            sb.append(" Address:\t\t")
                    .append(Json.text(n, "ManagerStatus", "Addr"))
                    .append('\n');
            sb.append(" Raft Status:\t\t")
                    .append(Text.prettyPrint(Json.text(n, "ManagerStatus", "Reachability")))
                    .append('\n');
            sb.append(" Leader:\t\t")
                    .append(Json.at(n, "ManagerStatus", "Leader").asBoolean(false) ? "Yes" : "No")
                    .append('\n');
        }
        sb.append("Platform:\n");
        sb.append(" Operating System:\t")
                .append(Json.text(n, "Description", "Platform", "OS"))
                .append('\n');
        sb.append(" Architecture:\t\t")
                .append(Json.text(n, "Description", "Platform", "Architecture"))
                .append('\n');
        sb.append("Resources:\n");
        long nanoCpus = Json.number(n, "Description", "Resources", "NanoCPUs");
        sb.append(" CPUs:\t\t\t").append(nanoCpus / 1_000_000_000L).append('\n');
        long memory = Json.number(n, "Description", "Resources", "MemoryBytes");
        sb.append(" Memory:\t\t")
                .append(memory == 0 ? "" : Text.bytesSize(memory))
                .append('\n');
        JsonNode plugins = Json.at(n, "Description", "Engine", "Plugins");
        if (plugins.isArray() && !plugins.isEmpty()) {
            Map<String, List<String>> byType = new TreeMap<>();
            for (JsonNode p : plugins) {
                byType.computeIfAbsent(Json.text(p, "Type"), t -> new ArrayList<>())
                        .add(Json.text(p, "Name"));
            }
            sb.append("Plugins:\n");
            byType.forEach((type, names) -> sb.append(' ')
                    .append(type)
                    .append(':')
                    .append(names.isEmpty() ? "" : "\t\t" + String.join(", ", names))
                    .append('\n'));
        }
        sb.append("Engine Version:\t\t").append(Json.text(n, "Description", "Engine", "EngineVersion"));
        JsonNode engineLabels = Json.at(n, "Description", "Engine", "Labels");
        if (engineLabels.isObject() && !engineLabels.isEmpty()) {
            sb.append("\nEngine Labels:");
            new TreeMap<>(stringMap(engineLabels))
                    .forEach((k, v) -> sb.append("\n - ").append(k).append(v.isEmpty() ? "" : "=" + v));
        }
        JsonNode tls = Json.at(n, "Description", "TLSInfo");
        if (!Json.text(tls, "TrustRoot").isEmpty()
                || !Json.text(tls, "CertIssuerSubject").isEmpty()
                || !Json.text(tls, "CertIssuerPublicKey").isEmpty()) {
            sb.append("\nTLS Info:\n TrustRoot:\n")
                    .append(Json.text(tls, "TrustRoot"))
                    .append("\n Issuer Subject:\t")
                    .append(Json.text(tls, "CertIssuerSubject"))
                    .append("\n Issuer Public Key:\t")
                    .append(Json.text(tls, "CertIssuerPublicKey"));
        }
        return sb.toString();
    }

    static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        if (object != null && object.isObject()) {
            object.properties()
                    .forEach(e -> map.put(
                            e.getKey(),
                            e.getValue().isNull() ? "" : e.getValue().asText()));
        }
        return map;
    }
}
