package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.client.ApiPath;
import io.skep.client.DaemonException;
import io.skep.client.Filters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code skep network}: manage the swarm's networks, as {@code docker network} does. */
@Command(
        name = "network",
        customSynopsis = "skep network COMMAND",
        description = "Manage networks",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            NetworkCommand.Create.class,
            NetworkCommand.Ls.class,
            NetworkCommand.Inspect.class,
            NetworkCommand.Rm.class,
            NetworkCommand.Prune.class
        })
final class NetworkCommand extends CommandGroup {

    static final String DEFAULT_TABLE = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";

    static final Map<String, String> HEADERS = Map.of(
            "ID", "NETWORK ID",
            "Name", "NAME",
            "Driver", "DRIVER",
            "Scope", "SCOPE",
            "IPv6", "IPV6",
            "Internal", "INTERNAL",
            "Labels", "LABELS",
            "CreatedAt", "CREATED AT");

    static Filters filters(ApiCommand cmd, List<String> flags) {
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

    /** {@code skep network create}. */
    @Command(
            name = "create",
            customSynopsis = "skep network create [OPTIONS] NETWORK",
            description = "Create a network")
    static final class Create extends ApiCommand {

        @Option(
                names = {"-d", "--driver"},
                paramLabel = "DRIVER",
                description = "Driver to manage the Network (default \"overlay\")")
        String driver = "overlay";

        @Option(names = "--subnet", paramLabel = "CIDR", description = "Subnet in CIDR format")
        List<String> subnets = new ArrayList<>();

        @Option(names = "--gateway", paramLabel = "IP", description = "IPv4 Gateway for the master subnet")
        List<String> gateways = new ArrayList<>();

        @Option(names = "--ip-range", paramLabel = "CIDR", description = "Allocate container ip from a sub-range")
        List<String> ipRanges = new ArrayList<>();

        @Option(names = "--attachable", arity = "0..1", description = "Enable manual container attachment")
        boolean attachable;

        @Option(names = "--internal", arity = "0..1", description = "Restrict external access to the network")
        boolean internal;

        @Option(names = "--ingress", arity = "0..1", description = "Create swarm routing-mesh network")
        boolean ingress;

        @Option(names = "--ipv6", arity = "0..1", description = "Enable IPv6 networking")
        boolean ipv6;

        @Option(names = "--label", paramLabel = "K=V", description = "Set metadata on a network")
        List<String> labels = new ArrayList<>();

        @Option(
                names = {"-o", "--opt"},
                paramLabel = "K=V",
                description = "Set driver specific options")
        List<String> opts = new ArrayList<>();

        @Parameters(index = "0", paramLabel = "NETWORK", description = "The network's name")
        String name;

        /** The request as the docker CLI lays it out. */
        ObjectNode request() {
            if (subnets.isEmpty() && (!gateways.isEmpty() || !ipRanges.isEmpty())) {
                throw new CliException("every ip-range or gateway must have a corresponding subnet");
            }
            if (gateways.size() > subnets.size() || ipRanges.size() > subnets.size()) {
                throw new CliException("cannot configure multiple ranges or gateways on the same subnet");
            }
            ObjectNode body = Json.object();
            body.put("Name", name);
            body.put("Driver", driver);
            body.put("Scope", "");
            ObjectNode ipam = body.putObject("IPAM");
            ipam.put("Driver", "default");
            ipam.putObject("Options");
            ArrayNode config = ipam.putArray("Config");
            for (int i = 0; i < subnets.size(); i++) {
                ObjectNode c = config.addObject();
                c.put("Subnet", subnets.get(i));
                if (i < ipRanges.size()) {
                    c.put("IPRange", ipRanges.get(i));
                }
                if (i < gateways.size()) {
                    c.put("Gateway", gateways.get(i));
                }
            }
            body.put("Internal", internal);
            body.put("Attachable", attachable);
            body.put("Ingress", ingress);
            if (ipv6) {
                body.put("EnableIPv6", true);
            }
            body.put("ConfigOnly", false);
            body.set("Options", Json.stringMap(ServiceSpecs.keyValues(opts)));
            body.set("Labels", Json.stringMap(ServiceSpecs.keyValues(labels)));
            return body;
        }

        @Override
        protected int run() {
            JsonNode answer = api().post("/networks/create", request()).body();
            String warning = Json.text(answer, "Warning");
            if (!warning.isEmpty()) {
                err().println(warning);
            }
            out().println(Json.text(answer, "Id"));
            return 0;
        }
    }

    /** {@code skep network ls}. */
    @Command(name = "ls", customSynopsis = "skep network ls [OPTIONS]", aliases = "list", description = "List networks")
    static final class Ls extends ApiCommand {

        @Option(
                names = {"-q", "--quiet"},
                arity = "0..1",
                description = "Only display network IDs")
        boolean quiet;

        @Option(names = "--no-trunc", arity = "0..1", description = "Do not truncate the output")
        boolean noTrunc;

        @Option(
                names = "--format",
                paramLabel = "FORMAT",
                description = "Format output: table, json, or a Go-style template such as '{{.Name}}'")
        String format;

        @Option(
                names = {"-f", "--filter"},
                paramLabel = "FILTER",
                description = "Provide filter values (e.g. \"driver=overlay\")")
        List<String> filter = new ArrayList<>();

        @Override
        protected int run() {
            JsonNode networks = api().get(ApiPath.of("/networks").filters(filters(this, filter)))
                    .body();
            if ("json".equals(format)) {
                out().println(Json.compact(networks == null ? Json.array() : networks));
                return 0;
            }
            List<JsonNode> list = new ArrayList<>(Json.elements(networks));
            list.sort((a, b) -> Text.naturalCompare(Json.text(a, "Name"), Json.text(b, "Name")));
            List<Map<String, String>> rows = new ArrayList<>();
            for (JsonNode n : list) {
                rows.add(row(n, noTrunc));
            }
            String fmt = format == null || format.isEmpty() || format.equals("table")
                    ? (quiet ? "{{.ID}}" : DEFAULT_TABLE)
                    : format;
            out().print(Template.renderRows(fmt, HEADERS, rows));
            return 0;
        }

        static Map<String, String> row(JsonNode n, boolean noTrunc) {
            Map<String, String> row = new LinkedHashMap<>();
            String id = Json.text(n, "Id");
            row.put("ID", noTrunc ? id : Text.truncateId(id));
            row.put("Name", Json.text(n, "Name"));
            row.put("Driver", Json.text(n, "Driver"));
            row.put("Scope", Json.text(n, "Scope"));
            row.put("IPv6", String.valueOf(Json.at(n, "EnableIPv6").asBoolean(false)));
            row.put("Internal", String.valueOf(Json.at(n, "Internal").asBoolean(false)));
            Map<String, String> labels = new TreeMap<>();
            Json.at(n, "Labels")
                    .properties()
                    .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            List<String> pairs = new ArrayList<>();
            labels.forEach((k, v) -> pairs.add(k + "=" + v));
            row.put("Labels", String.join(",", pairs));
            row.put("CreatedAt", Json.text(n, "Created"));
            return row;
        }
    }

    /** {@code skep network inspect}. */
    @Command(
            name = "inspect",
            customSynopsis = "skep network inspect [OPTIONS] NETWORK [NETWORK...]",
            description = "Display detailed information on one or more networks")
    static final class Inspect extends ApiCommand {

        @Option(
                names = {"-f", "--format"},
                paramLabel = "FORMAT",
                description = "Format output: json, or a Go-style template such as '{{.IPAM.Config}}'")
        String format;

        @Parameters(arity = "1..*", paramLabel = "NETWORK", description = "Network names or IDs")
        List<String> refs;

        @Override
        protected int run() {
            List<JsonNode> found = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (String ref : refs) {
                try {
                    found.add(api().get(ApiPath.of("/networks/{}", ref)).body());
                } catch (DaemonException e) {
                    errors.add(Main.errorText(e));
                }
            }
            Inspection.print(out(), found, format);
            if (!errors.isEmpty()) {
                throw new CliException(String.join("\n", errors));
            }
            return 0;
        }
    }

    /** {@code skep network rm}. */
    @Command(
            name = "rm",
            customSynopsis = "skep network rm NETWORK [NETWORK...]",
            aliases = "remove",
            description = "Remove one or more networks")
    static final class Rm extends ApiCommand {

        @Parameters(arity = "1..*", paramLabel = "NETWORK", description = "Network names or IDs")
        List<String> refs;

        @Override
        protected int run() {
            eachPrinted(refs, ref -> api().delete(ApiPath.of("/networks/{}", ref)));
            return 0;
        }
    }

    /** {@code skep network prune}: removes every network no service uses, after asking unless {@code -f}. */
    @Command(
            name = "prune",
            customSynopsis = "skep network prune [OPTIONS]",
            description = "Remove all unused networks")
    static final class Prune extends ApiCommand {
        static final String WARNING = "WARNING! This will remove all custom networks not used by at least one "
                + "container.\nAre you sure you want to continue? [y/N] ";

        @Option(
                names = {"-f", "--force"},
                arity = "0..1",
                description = "Do not prompt for confirmation")
        boolean force;

        @Option(
                names = "--filter",
                paramLabel = "FILTER",
                description = "Provide filter values (e.g. \"until=<timestamp>\")")
        List<String> filter = new ArrayList<>();

        @Override
        protected int run() {
            Filters filters = filters(this, filter);
            if (!force && !confirmed()) {
                return 0;
            }
            JsonNode answer = api().post(ApiPath.of("/networks/prune").filters(filters), Json.object())
                    .body();
            List<String> deleted = Json.strings(Json.at(answer, "NetworksDeleted"));
            if (!deleted.isEmpty()) {
                out().println("Deleted Networks:");
                deleted.forEach(out()::println);
            }
            return 0;
        }

        private boolean confirmed() {
            out().print(WARNING);
            out().flush();
            try {
                String line = new BufferedReader(new InputStreamReader(ctx().in, StandardCharsets.UTF_8)).readLine();
                return line != null
                        && (line.trim().equalsIgnoreCase("y") || line.trim().equalsIgnoreCase("yes"));
            } catch (IOException e) {
                return false;
            }
        }
    }
}
