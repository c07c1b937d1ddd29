package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.client.ApiPath;
import io.skep.client.DaemonClient;
import io.skep.client.DaemonException;
import io.skep.client.Filters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code skep service}: manage swarm services. */
@Command(
        name = "service",
        customSynopsis = "skep service COMMAND",
        description = "Manage Swarm services",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            ServiceCreateCommand.class,
            ServiceCommand.Inspect.class,
            ServiceCommand.Ls.class,
            ServiceCommand.Ps.class,
            ServiceCommand.Rm.class,
            ServiceCommand.Scale.class,
            ServiceUpdateCommand.class,
        })
final class ServiceCommand extends CommandGroup {

    static final String DEFAULT_TABLE = "table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}";

    static final Map<String, String> HEADERS = Map.of(
            "ID", "ID", "Name", "NAME", "Mode", "MODE", "Replicas", "REPLICAS", "Image", "IMAGE", "Ports", "PORTS");

    static Filters parseFilters(ApiCommand cmd, List<String> flags) {
        Filters filters = new Filters();
        for (String f : flags) {
            try {
                filters.addFlag(f);
            } catch (IllegalArgumentException e) {
                throw cmd.invalidFlag("--filter", f, e.getMessage());
            }
        }
        return filters;
    }

    /** {@code skep service ls}. */
    @Command(name = "ls", customSynopsis = "skep service ls [OPTIONS]", aliases = "list", description = "List services")
    static final class Ls extends ApiCommand {

        @Option(
                names = {"-q", "--quiet"},
                arity = "0..1",
                description = "Only display IDs")
        boolean quiet;

        @Option(
                names = "--format",
                paramLabel = "FORMAT",
                description = "Format output: table, json, or a Go-style template such as '{{.Name}}'")
        String format;

        @Option(
                names = {"-f", "--filter"},
                paramLabel = "FILTER",
                description = "Filter output based on conditions provided")
        List<String> filter = new ArrayList<>();

        @Override
        protected int run() {
            Filters filters = parseFilters(this, filter);
            JsonNode services = api().get(
                            ApiPath.of("/services").filters(filters).query("status", quiet ? null : "true"))
                    .body();
            if ("json".equals(format)) {
                out().println(Json.compact(services == null ? Json.array() : services));
                return 0;
            }
            List<JsonNode> list = Json.elements(services);
            if (!quiet) {
                list = appendServiceStatus(api(), list);
            }
            list.sort(Comparator.comparing(s -> Json.text(s, "Spec", "Name"), Text.NATURAL));
            List<Map<String, String>> rows = new ArrayList<>();
            for (JsonNode s : list) {
                rows.add(row(s));
            }
            String fmt = format == null || format.isEmpty() || format.equals("table")
                    ? (quiet ? "{{.ID}}" : DEFAULT_TABLE)
                    : format;
            out().print(Template.renderRows(fmt, HEADERS, rows));
            return 0;
        }
    }

    /**
     * docker's {@code AppendServiceStatus}: a daemon that does not return {@code ServiceStatus} gets it computed
     * from {@code GET /tasks} and {@code GET /nodes}.
     */
    static List<JsonNode> appendServiceStatus(DaemonClient api, List<JsonNode> services) {
        Map<String, long[]> status = new LinkedHashMap<>();
        Filters taskFilter = new Filters();
        List<JsonNode> result = new ArrayList<>();
        for (JsonNode s : services) {
            if (Json.has(s, "ServiceStatus")) {
                result.add(s);
                continue;
            }
            ObjectNode copy = s.deepCopy();
            String id = Json.text(s, "ID");
            if (Json.has(s, "Spec", "Mode", "Replicated")) {
                ObjectNode st = copy.putObject("ServiceStatus");
                st.put("RunningTasks", 0);
                st.put("DesiredTasks", Json.number(s, "Spec", "Mode", "Replicated", "Replicas"));
                status.put(id, new long[2]);
                taskFilter.add("service", id);
            } else if (Json.has(s, "Spec", "Mode", "Global")) {
                ObjectNode st = copy.putObject("ServiceStatus");
                st.put("RunningTasks", 0);
                st.put("DesiredTasks", 0);
                status.put(id, new long[2]);
                taskFilter.add("service", id);
            }
            result.add(copy);
        }
        if (status.isEmpty()) {
            return result;
        }
        List<JsonNode> tasks =
                Json.elements(api.get(ApiPath.of("/tasks").filters(taskFilter)).body());
        if (tasks.isEmpty()) {
            return result;
        }
        Set<String> active = new HashSet<>();
        for (JsonNode n : Json.elements(api.get("/nodes").body())) {
            if (!"down".equals(Json.text(n, "Status", "State"))) {
                active.add(Json.text(n, "ID"));
            }
        }
        for (JsonNode t : tasks) {
            long[] st = status.get(Json.text(t, "ServiceID"));
            if (st == null) {
                continue;
            }
            if (!"shutdown".equals(Json.text(t, "DesiredState"))) {
                st[1]++;
            }
            if (active.contains(Json.text(t, "NodeID")) && "running".equals(Json.text(t, "Status", "State"))) {
                st[0]++;
            }
        }
        for (JsonNode s : result) {
            long[] st = status.get(Json.text(s, "ID"));
            if (st != null) {
                ObjectNode o = (ObjectNode) s.get("ServiceStatus");
                o.put("RunningTasks", st[0]);
                o.put("DesiredTasks", st[1]);
            }
        }
        return result;
    }

    /** One line of the service table. */
    static Map<String, String> row(JsonNode s) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("ID", Text.truncateId(Json.text(s, "ID")));
        row.put("Name", Json.text(s, "Spec", "Name"));
        String mode = mode(s);
        row.put("Mode", mode);
        long running = Json.number(s, "ServiceStatus", "RunningTasks");
        long desired = Json.number(s, "ServiceStatus", "DesiredTasks");
        long completed = Json.number(s, "ServiceStatus", "CompletedTasks");
        String replicas;
        if (mode.equals("replicated job")) {
            replicas = running + "/" + desired + " (" + completed + "/"
                    + Json.number(s, "Spec", "Mode", "ReplicatedJob", "TotalCompletions") + " completed)";
        } else if (mode.equals("global job")) {
            replicas = running + "/" + desired + " (" + completed + "/" + (desired + completed) + " completed)";
        } else {
            long max =
                    mode.equals("replicated") ? Json.number(s, "Spec", "TaskTemplate", "Placement", "MaxReplicas") : 0;
            replicas = running + "/" + desired + (max > 0 ? " (max " + max + " per node)" : "");
        }
        row.put("Replicas", replicas);
        row.put("Image", TaskPrinter.displayImage(Json.text(s, "Spec", "TaskTemplate", "ContainerSpec", "Image")));
        row.put("Ports", ports(Json.at(s, "Endpoint", "Ports")));
        return row;
    }

    static String mode(JsonNode s) {
        JsonNode mode = Json.at(s, "Spec", "Mode");
        if (Json.has(mode, "Global")) {
            return "global";
        }
        if (Json.has(mode, "Replicated")) {
            return "replicated";
        }
        if (Json.has(mode, "ReplicatedJob")) {
            return "replicated job";
        }
        if (Json.has(mode, "GlobalJob")) {
            return "global job";
        }
        return "";
    }

    /**
     * The PORTS column: ingress-published ports, consecutive ones grouped into ranges ({@code *:80-81->80-81/tcp}),
     * exactly as docker's {@code serviceContext.Ports}.
     */
    static String ports(JsonNode endpointPorts) {
        List<JsonNode> ports = Json.elements(endpointPorts);
        ports.sort(Comparator.<JsonNode, String>comparing(p -> Json.text(p, "Protocol"))
                .thenComparingLong(p -> Json.number(p, "PublishedPort")));
        List<String> out = new ArrayList<>();
        long pStart = 0;
        long pEnd = 0;
        long tStart = 0;
        long tEnd = 0;
        String protocol = "";
        for (JsonNode p : ports) {
            if (!"ingress".equals(Json.text(p, "PublishMode"))) {
                continue;
            }
            long published = Json.number(p, "PublishedPort");
            long target = Json.number(p, "TargetPort");
            boolean isRange = tEnd != tStart;
            boolean overlaps = target <= tEnd;
            // uint32 arithmetic, as in Go: a smaller port wraps around to a large difference
            if (!Json.text(p, "Protocol").equals(protocol)
                    || ((published - pEnd) & 0xFFFFFFFFL) > 1
                    || ((target - tEnd) & 0xFFFFFFFFL) > 1
                    || (isRange && overlaps)) {
                if (pStart > 0) {
                    out.add(portRange(pStart, pEnd, tStart, tEnd, protocol));
                }
                pStart = published;
                pEnd = published;
                tStart = target;
                tEnd = target;
                protocol = Json.text(p, "Protocol");
                continue;
            }
            pEnd = published;
            tEnd = target;
        }
        if (pStart > 0) {
            out.add(portRange(pStart, pEnd, tStart, tEnd, protocol));
        }
        return String.join(", ", out);
    }

    private static String portRange(long pStart, long pEnd, long tStart, long tEnd, String protocol) {
        String pub = pEnd > pStart ? pStart + "-" + pEnd : String.valueOf(pStart);
        String tgt = tEnd > tStart ? tStart + "-" + tEnd : String.valueOf(tStart);
        return "*:" + pub + "->" + tgt + "/" + protocol;
    }

    /** {@code skep service ps}. */
    @Command(
            name = "ps",
            customSynopsis = "skep service ps [OPTIONS] SERVICE [SERVICE...]",
            description = "List the tasks of one or more services")
    static final class Ps extends ApiCommand {

        @picocli.CommandLine.Mixin
        TaskListOptions list;

        @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "Service names or IDs")
        List<String> services;

        @Override
        protected int run() {
            Filters filters = parseFilters(this, list.filter);
            Filters byId = new Filters();
            Filters byName = new Filters();
            for (String s : services) {
                byId.add("id", s);
                byName.add("name", s);
            }
            List<JsonNode> idMatches = Json.elements(
                    api().get(ApiPath.of("/services").filters(byId)).body());
            List<JsonNode> nameMatches = Json.elements(
                    api().get(ApiPath.of("/services").filters(byName)).body());
            List<String> notFound = new ArrayList<>();
            int count = 0;
            outer:
            for (String ref : services) {
                for (JsonNode s : idMatches) {
                    if (Json.text(s, "ID").equals(ref)) {
                        filters.add("service", ref);
                        count++;
                        continue outer;
                    }
                }
                for (JsonNode s : nameMatches) {
                    if (Json.text(s, "Spec", "Name").equals(ref)) {
                        filters.add("service", Json.text(s, "ID"));
                        count++;
                        continue outer;
                    }
                }
                boolean found = false;
                for (JsonNode s : idMatches) {
                    if (Json.text(s, "ID").startsWith(ref)) {
                        if (found) {
                            throw new CliException("multiple services found with provided prefix: " + ref);
                        }
                        filters.add("service", Json.text(s, "ID"));
                        count++;
                        found = true;
                    }
                }
                if (!found) {
                    notFound.add("no such service: " + ref);
                }
            }
            if (count == 0) {
                throw new CliException(String.join("\n", notFound));
            }
            if (filters.contains("node")) {
                List<String> nodes = new ArrayList<>(filters.get("node"));
                filters.remove("node");
                for (String n : nodes) {
                    filters.add("node", NodeCommand.reference(api(), n));
                }
            }
            JsonNode tasks = api().get(ApiPath.of("/tasks").filters(filters)).body();
            if ("json".equals(list.format)) {
                out().println(Json.compact(tasks == null ? Json.array() : tasks));
            } else {
                Instant now = ctx().clock.instant();
                out().print(new TaskPrinter(api(), list.noResolve)
                        .print(Json.elements(tasks), list.truncate(), list.quiet, list.format, now));
            }
            if (!notFound.isEmpty()) {
                throw new CliException(String.join("\n", notFound));
            }
            return 0;
        }
    }

    /** {@code skep service inspect}. */
    @Command(
            name = "inspect",
            customSynopsis = "skep service inspect [OPTIONS] SERVICE [SERVICE...]",
            description = "Display detailed information on one or more services")
    static final class Inspect extends ApiCommand {

        @Option(names = "--pretty", arity = "0..1", description = "Print the information in a human friendly format")
        boolean pretty;

        @Option(
                names = {"-f", "--format"},
                paramLabel = "FORMAT",
                description = "Format output: json, or a Go-style template such as '{{.Spec.Name}}'")
        String format;

        @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "Service names or IDs")
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
                    found.add(api().get(ApiPath.of("/services/{}", ref).query("insertDefaults", "true"))
                            .body());
                } catch (DaemonException e) {
                    errors.add(e.isNotFound() ? "Error: no such service: " + ref : Main.errorText(e));
                    if (pretty && !e.isNotFound()) {
                        break;
                    }
                }
            }
            if (pretty) {
                if (!errors.isEmpty()) {
                    throw new CliException(errors.getFirst());
                }
                Instant now = ctx().clock.instant();
                StringBuilder sb = new StringBuilder();
                Map<String, String> networkNames = new HashMap<>();
                for (JsonNode s : found) {
                    sb.append(ServicePretty.render(s, networkName(networkNames), now))
                            .append('\n');
                }
                out().print(sb);
            } else {
                Inspection.print(out(), found, format);
            }
            if (!errors.isEmpty()) {
                throw new CliException(String.join("\n", errors));
            }
            return 0;
        }

        private Function<String, String> networkName(Map<String, String> cache) {
            return target -> cache.computeIfAbsent(target, t -> {
                try {
                    String name = Json.text(
                            api().get(ApiPath.of("/networks/{}", t).query("scope", "swarm"))
                                    .body(),
                            "Name");
                    return name.isEmpty() ? t : name;
                } catch (DaemonException e) {
                    return t;
                }
            });
        }
    }

    /** {@code skep service rm}. */
    @Command(
            name = "rm",
            customSynopsis = "skep service rm SERVICE [SERVICE...]",
            aliases = "remove",
            description = "Remove one or more services")
    static final class Rm extends ApiCommand {

        @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "Service names or IDs")
        List<String> refs;

        @Override
        protected int run() {
            eachPrinted(refs, ref -> api().delete(ApiPath.of("/services/{}", ref)));
            return 0;
        }
    }

    /** {@code skep service scale SERVICE=REPLICAS...}. */
    @Command(
            name = "scale",
            customSynopsis = "skep service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]",
            description = "Scale one or multiple replicated services")
    static final class Scale extends ApiCommand {

        @Option(
                names = {"-d", "--detach"},
                arity = "0..1",
                description = "Exit immediately instead of waiting for the service to converge")
        boolean detach;

        @Parameters(arity = "1..*", paramLabel = "SERVICE=REPLICAS", description = "Services and their replica counts")
        List<String> specs;

        @Override
        protected int run() {
            for (String arg : specs) {
                int eq = arg.indexOf('=');
                if (eq <= 0 || eq == arg.length() - 1) {
                    throw new CliException("invalid scale specifier '" + arg + "'.\nSee 'skep service scale --help'."
                            + "\n\nUsage:  " + Main.useLine(spec.commandLine()) + "\n\n"
                            + "Scale one or multiple replicated services");
                }
            }
            List<String> errors = new ArrayList<>();
            List<String> scaled = new ArrayList<>();
            for (String arg : specs) {
                int eq = arg.indexOf('=');
                String service = arg.substring(0, eq);
                String value = arg.substring(eq + 1);
                long replicas;
                try {
                    replicas = Long.parseUnsignedLong(value);
                } catch (NumberFormatException e) {
                    errors.add(service + ": invalid replicas value " + value + ": strconv.ParseUint: parsing \"" + value
                            + "\": invalid syntax");
                    continue;
                }
                try {
                    for (String warning : scale(api(), service, replicas)) {
                        err().println(warning);
                    }
                } catch (DaemonException | CliException e) {
                    errors.add(service + ": " + Main.errorText(e));
                    continue;
                }
                out().println(service + " scaled to " + Long.toUnsignedString(replicas));
                scaled.add(service);
            }
            if (!scaled.isEmpty() && !detach) {
                for (String service : scaled) {
                    try {
                        ServiceProgress.waitOn(ctx(), service, false);
                    } catch (DaemonException | CliException e) {
                        errors.add(service + ": " + Main.errorText(e));
                    }
                }
            }
            if (!errors.isEmpty()) {
                throw new CliException(String.join("\n", errors));
            }
            return 0;
        }

        /** GET the service, set its replica count, POST the update; returns the daemon's warnings. */
        static List<String> scale(DaemonClient api, String service, long replicas) {
            JsonNode current = api.get(ApiPath.of("/services/{}", service).query("insertDefaults", "false"))
                    .body();
            if (!(Json.at(current, "Spec") instanceof ObjectNode currentSpec)) {
                throw new CliException("the daemon returned a service without a spec");
            }
            ObjectNode spec = currentSpec.deepCopy();
            ObjectNode mode = Json.objectAt(spec, "Mode");
            if (mode.get("Replicated") instanceof ObjectNode replicated) {
                replicated.put("Replicas", replicas);
            } else if (mode.get("ReplicatedJob") instanceof ObjectNode job) {
                job.put("TotalCompletions", replicas);
            } else {
                throw new CliException("scale can only be used with replicated or replicated-job mode");
            }
            JsonNode answer = api.post(
                            ApiPath.of("/services/{}/update", Json.text(current, "ID"))
                                    .query("version", Json.number(current, "Version", "Index")),
                            spec)
                    .body();
            return Json.strings(Json.at(answer, "Warnings"));
        }
    }
}
