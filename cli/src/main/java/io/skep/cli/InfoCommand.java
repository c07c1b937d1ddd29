package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.client.DaemonException;
import io.skep.client.DaemonUnavailableException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skep info}: a {@code docker info}-like summary of {@code GET /info}. */
@Command(name = "info", customSynopsis = "skep info [OPTIONS]", description = "Display system-wide information")
final class InfoCommand extends ApiCommand {

    @Option(
            names = {"-f", "--format"},
            paramLabel = "FORMAT",
            description = "Format output: json, or a Go-style template such as '{{.Swarm.NodeID}}'")
    String format;

    @Override
    protected int run() {
        if (format != null && !format.isEmpty()) {
            JsonNode info = api().get("/info").body();
            ObjectNode all = Json.object();
            ObjectNode client = all.putObject("ClientInfo");
            client.put("Version", SkepVersion.get());
            client.put("Debug", false);
            if (info instanceof ObjectNode o) {
                all.setAll(o);
            }
            if (format.equals("json")) {
                out().println(Json.compact(all));
            } else {
                out().println(Template.parse(format).renderNode(all));
            }
            return 0;
        }
        PrintStream out = out();
        out.println("Client:");
        out.println(" Version:    " + SkepVersion.get());
        out.println(" Debug Mode: false");
        out.println();
        out.println("Server:");
        JsonNode info;
        try {
            info = api().get("/info").body();
        } catch (DaemonException | DaemonUnavailableException e) {
            throw new CliException(Main.errorText(e));
        }
        printServer(out, info);
        out.println();
        for (String warning : Json.strings(Json.at(info, "Warnings"))) {
            err().println(warning);
        }
        return 0;
    }

    private static void line(PrintStream out, String label, JsonNode info, String... path) {
        if (Json.has(info, path)) {
            out.println(label + " " + Json.text(info, path));
        }
    }

    static void printServer(PrintStream out, JsonNode info) {
        if (Json.has(info, "Containers")) {
            line(out, " Containers:", info, "Containers");
            line(out, "  Running:", info, "ContainersRunning");
            line(out, "  Paused:", info, "ContainersPaused");
            line(out, "  Stopped:", info, "ContainersStopped");
        }
        line(out, " Images:", info, "Images");
        nonEmpty(out, " Server Version:", Json.text(info, "ServerVersion"));
        nonEmpty(out, " Storage Driver:", Json.text(info, "Driver"));
        nonEmpty(out, " Logging Driver:", Json.text(info, "LoggingDriver"));
        JsonNode plugins = Json.at(info, "Plugins");
        if (plugins.isObject() && !plugins.isEmpty()) {
            out.println(" Plugins:");
            plugins.properties().forEach(e -> {
                List<String> names = new ArrayList<>();
                for (JsonNode p : Json.elements(e.getValue())) {
                    names.add(p.isTextual() ? p.asText() : Json.text(p, "Name"));
                }
                out.println("  " + e.getKey() + ": " + String.join(" ", names));
            });
        }
        out.println(" Swarm: " + Json.text(info, "Swarm", "LocalNodeState"));
        printSwarm(out, Json.at(info, "Swarm"));
        JsonNode runtimes = Json.at(info, "Runtimes");
        if (runtimes.isObject() && !runtimes.isEmpty()) {
            List<String> names = new ArrayList<>();
            runtimes.properties().forEach(e -> names.add(e.getKey()));
            names.sort(null);
            out.println(" Runtimes: " + String.join(" ", names));
            out.println(" Default Runtime: " + Json.text(info, "DefaultRuntime"));
        } else if (runtimes.isArray() && !runtimes.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (JsonNode r : runtimes) {
                names.add(r.isTextual() ? r.asText() : Json.text(r, "Name"));
            }
            out.println(" Runtimes: " + String.join(" ", names));
            out.println(" Default Runtime: " + Json.text(info, "DefaultRuntime"));
        }
        printSecurityOptions(out, Json.at(info, "SecurityOptions"));
        nonEmpty(out, " Kernel Version:", Json.text(info, "KernelVersion"));
        nonEmpty(out, " Operating System:", Json.text(info, "OperatingSystem"));
        nonEmpty(out, " OSType:", Json.text(info, "OSType"));
        nonEmpty(out, " Architecture:", Json.text(info, "Architecture"));
        line(out, " CPUs:", info, "NCPU");
        if (Json.has(info, "MemTotal")) {
            out.println(" Total Memory: " + Text.bytesSize(Json.number(info, "MemTotal")));
        }
        nonEmpty(out, " Name:", Json.text(info, "Name"));
        nonEmpty(out, " ID:", Json.text(info, "ID"));
        nonEmpty(out, " Skep Root Dir:", Json.text(info, "DockerRootDir"));
        line(out, " Debug Mode:", info, "Debug");
        List<String> labels = Json.strings(Json.at(info, "Labels"));
        if (!labels.isEmpty()) {
            out.println(" Labels:");
            labels.forEach(l -> out.println("  " + l));
        }
        line(out, " Experimental:", info, "ExperimentalBuild");
        line(out, " Live Restore Enabled:", info, "LiveRestoreEnabled");
    }

    private static void nonEmpty(PrintStream out, String label, String value) {
        if (!value.isEmpty()) {
            out.println(label + " " + value);
        }
    }

    /** Docker's layout: each option's name, then its other keys, capitalised ("name=tls,provider=X": tls, Provider: X). */
    static void printSecurityOptions(PrintStream out, JsonNode options) {
        if (!options.isArray() || options.isEmpty()) {
            return;
        }
        out.println(" Security Options:");
        for (JsonNode option : options) {
            for (String pair : option.asText().split(",")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                if (key.equals("name")) {
                    out.println("  " + value);
                } else if (!key.isEmpty()) {
                    out.println("   " + Character.toUpperCase(key.charAt(0)) + key.substring(1) + ": " + value);
                }
            }
        }
    }

    /** docker's {@code printSwarmInfo}. */
    static void printSwarm(PrintStream out, JsonNode swarm) {
        String state = Json.text(swarm, "LocalNodeState");
        if (state.isEmpty() || state.equals("inactive") || state.equals("locked")) {
            return;
        }
        out.println("  NodeID: " + Json.text(swarm, "NodeID"));
        String error = Json.text(swarm, "Error");
        if (!error.isEmpty()) {
            out.println("  Error: " + error);
        }
        boolean manager = Json.at(swarm, "ControlAvailable").asBoolean(false);
        out.println("  Is Manager: " + manager);
        JsonNode cluster = Json.at(swarm, "Cluster");
        if (Json.has(swarm, "Cluster") && manager && error.isEmpty() && !state.equals("error")) {
            out.println("  ClusterID: " + Json.text(cluster, "ID"));
            out.println("  Managers: " + Json.number(swarm, "Managers"));
            out.println("  Nodes: " + Json.number(swarm, "Nodes"));
            if (Json.has(cluster, "DefaultAddrPool")) {
                StringBuilder pools = new StringBuilder();
                for (String p : Json.strings(Json.at(cluster, "DefaultAddrPool"))) {
                    pools.append(p).append("  ");
                }
                out.println("  Default Address Pool: " + pools);
                out.println("  SubnetSize: " + Json.number(cluster, "SubnetSize"));
            }
            if (Json.number(cluster, "DataPathPort") > 0) {
                out.println("  Data Path Port: " + Json.number(cluster, "DataPathPort"));
            }
            JsonNode spec = Json.at(cluster, "Spec");
            out.println("  Orchestration:");
            out.println("   Task History Retention Limit: "
                    + Json.number(spec, "Orchestration", "TaskHistoryRetentionLimit"));
            out.println("  Raft:");
            out.println("   Snapshot Interval: " + Json.number(spec, "Raft", "SnapshotInterval"));
            if (Json.has(spec, "Raft", "KeepOldSnapshots")) {
                out.println("   Number of Old Snapshots to Retain: " + Json.number(spec, "Raft", "KeepOldSnapshots"));
            }
            out.println("   Heartbeat Tick: " + Json.number(spec, "Raft", "HeartbeatTick"));
            out.println("   Election Tick: " + Json.number(spec, "Raft", "ElectionTick"));
            out.println("  Dispatcher:");
            out.println("   Heartbeat Period: "
                    + Text.humanDuration(Duration.ofNanos(Json.number(spec, "Dispatcher", "HeartbeatPeriod"))));
            out.println("  CA Configuration:");
            out.println("   Expiry Duration: "
                    + Text.humanDuration(Duration.ofNanos(Json.number(spec, "CAConfig", "NodeCertExpiry"))));
            out.println("   Force Rotate: " + Json.number(spec, "CAConfig", "ForceRotate"));
            String caCert = Json.text(spec, "CAConfig", "SigningCACert").strip();
            if (!caCert.isEmpty()) {
                out.printf("   Signing CA Certificate: %n%s%n%n", caCert);
            }
            List<JsonNode> externalCas = Json.elements(Json.at(spec, "CAConfig", "ExternalCAs"));
            if (!externalCas.isEmpty()) {
                out.println("   External CAs:");
                for (JsonNode ca : externalCas) {
                    out.printf("     %s: %s%n", Json.text(ca, "Protocol"), Json.text(ca, "URL"));
                }
            }
            out.println("  Autolock Managers: "
                    + Json.at(spec, "EncryptionConfig", "AutoLockManagers").asBoolean(false));
            out.println("  Root Rotation In Progress: "
                    + Json.at(cluster, "RootRotationInProgress").asBoolean(false));
        }
        out.println("  Node Address: " + Json.text(swarm, "NodeAddr"));
        List<String> managers = new ArrayList<>();
        for (JsonNode m : Json.elements(Json.at(swarm, "RemoteManagers"))) {
            managers.add(Json.text(m, "Addr"));
        }
        if (!managers.isEmpty()) {
            managers.sort(null);
            out.println("  Manager Addresses:");
            managers.forEach(m -> out.println("   " + m));
        }
    }
}
