package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** docker's {@code serviceInspectPrettyTemplate} ({@code service inspect --pretty}), tabs and all. */
final class ServicePretty {

    private ServicePretty() {}

    static String render(JsonNode s, Function<String, String> networkName, Instant now) {
        JsonNode spec = Json.at(s, "Spec");
        JsonNode task = Json.at(spec, "TaskTemplate");
        JsonNode cs = Json.at(task, "ContainerSpec");
        StringBuilder sb = new StringBuilder();
        sb.append("\nID:\t\t").append(Json.text(s, "ID"));
        sb.append("\nName:\t\t").append(Json.text(spec, "Name"));
        Map<String, String> labels = NodeCommand.stringMap(Json.at(spec, "Labels"));
        if (!labels.isEmpty()) {
            sb.append("\nLabels:");
            new TreeMap<>(labels).forEach((k, v) -> sb.append("\n ").append(k).append(v.isEmpty() ? "" : "=" + v));
        }
        sb.append("\nService Mode:");
        if (Json.has(spec, "Mode", "Global")) {
            sb.append("\tGlobal");
        } else if (Json.has(spec, "Mode", "Replicated")) {
            sb.append("\tReplicated");
            if (Json.has(spec, "Mode", "Replicated", "Replicas")) {
                sb.append("\n Replicas:\t").append(Json.text(spec, "Mode", "Replicated", "Replicas"));
            }
        }
        JsonNode us = Json.at(s, "UpdateStatus");
        if (Json.has(s, "UpdateStatus") && !Json.text(us, "State").isEmpty()) {
            sb.append("\nUpdateStatus:\n State:\t\t").append(Json.text(us, "State"));
            if (Json.has(us, "StartedAt")) {
                sb.append("\n Started:\t").append(ago(Json.text(us, "StartedAt"), now));
            }
            if (Json.text(us, "State").equals("completed") && Json.has(us, "CompletedAt")) {
                sb.append("\n Completed:\t").append(ago(Json.text(us, "CompletedAt"), now));
            }
            sb.append("\n Message:\t").append(Json.text(us, "Message"));
        }
        JsonNode rs = Json.at(s, "RebalanceStatus");
        if (Json.has(s, "RebalanceStatus") && !Json.text(rs, "State").isEmpty()) {
            sb.append("\nRebalanceStatus:\n State:\t\t").append(Json.text(rs, "State"));
            sb.append("\n Message:\t").append(Json.text(rs, "Message"));
        }
        sb.append("\nPlacement:");
        List<String> constraints = Json.strings(Json.at(task, "Placement", "Constraints"));
        if (!constraints.isEmpty()) {
            sb.append("\n Constraints:\t").append(goList(constraints));
        }
        List<String> prefs = new ArrayList<>();
        for (JsonNode p : Json.elements(Json.at(task, "Placement", "Preferences"))) {
            if (Json.has(p, "Spread")) {
                prefs.add("spread=" + Json.text(p, "Spread", "SpreadDescriptor"));
            }
        }
        if (!prefs.isEmpty()) {
            sb.append("\n Preferences:   ").append(goList(prefs));
        }
        long maxReplicas = Json.number(task, "Placement", "MaxReplicas");
        if (maxReplicas > 0) {
            sb.append("\n Max Replicas Per Node:   ").append(maxReplicas);
        }
        updateConfig(sb, spec, "UpdateConfig", "Update order:      ");
        updateConfig(sb, spec, "RollbackConfig", "Rollback order:    ");
        sb.append("\nContainerSpec:\n Image:\t\t").append(Json.text(cs, "Image"));
        List<String> args = Json.strings(Json.at(cs, "Args"));
        if (!args.isEmpty()) {
            sb.append("\n Args:\t\t");
            args.forEach(a -> sb.append(a).append(' '));
        }
        List<String> env = Json.strings(Json.at(cs, "Env"));
        if (!env.isEmpty()) {
            sb.append("\n Env:\t\t");
            env.forEach(e -> sb.append(e).append(' '));
        }
        if (!Json.text(cs, "Dir").isEmpty()) {
            sb.append("\n Dir:\t\t").append(Json.text(cs, "Dir"));
        }
        if (Json.has(cs, "Init")) {
            sb.append("\n Init:\t\t").append(Json.text(cs, "Init"));
        }
        if (!Json.text(cs, "User").isEmpty()) {
            sb.append("\n User: ").append(Json.text(cs, "User"));
        }
        List<String> capAdd = Json.strings(Json.at(cs, "CapabilityAdd"));
        List<String> capDrop = Json.strings(Json.at(cs, "CapabilityDrop"));
        if (!capAdd.isEmpty() || !capDrop.isEmpty()) {
            sb.append("\nCapabilities:");
            if (!capAdd.isEmpty()) {
                sb.append("\n Add: ").append(String.join(", ", capAdd));
            }
            if (!capDrop.isEmpty()) {
                sb.append("\n Drop: ").append(String.join(", ", capDrop));
            }
        }
        Map<String, String> sysctls = NodeCommand.stringMap(Json.at(cs, "Sysctls"));
        if (!sysctls.isEmpty()) {
            sb.append("\nSysCtls:");
            new TreeMap<>(sysctls).forEach((k, v) -> sb.append("\n ").append(k).append(v.isEmpty() ? "" : ": " + v));
        }
        List<JsonNode> mounts = Json.elements(Json.at(cs, "Mounts"));
        if (!mounts.isEmpty()) {
            sb.append("\nMounts:");
            for (JsonNode m : mounts) {
                sb.append("\n Target:\t")
                        .append(Json.text(m, "Target"))
                        .append("\n  Source:\t")
                        .append(Json.text(m, "Source"))
                        .append("\n  ReadOnly:\t")
                        .append(Json.at(m, "ReadOnly").asBoolean(false))
                        .append("\n  Type:\t\t")
                        .append(Json.text(m, "Type"));
            }
        }
        List<JsonNode> configs = Json.elements(Json.at(cs, "Configs"));
        if (!configs.isEmpty()) {
            sb.append("\nConfigs:");
            for (JsonNode c : configs) {
                sb.append("\n Target:\t")
                        .append(Json.text(c, "File", "Name"))
                        .append("\n  Source:\t")
                        .append(Json.text(c, "ConfigName"));
            }
        }
        List<JsonNode> secrets = Json.elements(Json.at(cs, "Secrets"));
        if (!secrets.isEmpty()) {
            sb.append("\nSecrets:");
            for (JsonNode c : secrets) {
                sb.append("\n Target:\t")
                        .append(Json.text(c, "File", "Name"))
                        .append("\n  Source:\t")
                        .append(Json.text(c, "SecretName"));
            }
        }
        if (Json.has(task, "LogDriver")) {
            sb.append("\nLog Driver:");
            if (!Json.text(task, "LogDriver", "Name").isEmpty()) {
                sb.append("\n Name:\t\t").append(Json.text(task, "LogDriver", "Name"));
            }
            Map<String, String> opts = NodeCommand.stringMap(Json.at(task, "LogDriver", "Options"));
            if (!opts.isEmpty()) {
                sb.append("\n LogOpts:");
                new TreeMap<>(opts)
                        .forEach((k, v) -> sb.append("\n  ").append(k).append(v.isEmpty() ? "" : ":       " + v));
            }
            sb.append('\n');
        }
        if (Json.has(task, "Resources")) {
            sb.append("\nResources:");
            JsonNode res = Json.at(task, "Resources", "Reservations");
            long resCpu = Json.number(res, "NanoCPUs");
            long resMem = Json.number(res, "MemoryBytes");
            if (resCpu > 0 || resMem > 0) {
                sb.append("\n Reservations:");
                if (resCpu > 0) {
                    sb.append("\n  CPU:\t\t").append(cpus(resCpu));
                }
                if (resMem > 0) {
                    sb.append("\n  Memory:\t").append(Text.bytesSize(resMem));
                }
            }
            JsonNode lim = Json.at(task, "Resources", "Limits");
            long limCpu = Json.number(lim, "NanoCPUs");
            long limMem = Json.number(lim, "MemoryBytes");
            long limPids = Json.number(lim, "Pids");
            if (limCpu > 0 || limMem > 0 || limPids > 0) {
                sb.append("\n Limits:");
                if (limCpu > 0) {
                    sb.append("\n  CPU:\t\t").append(cpus(limCpu));
                }
                if (limMem > 0) {
                    sb.append("\n  Memory:\t").append(Text.bytesSize(limMem));
                }
            }
            if (limPids > 0) {
                sb.append("\n  PIDs:\t\t").append(limPids);
            }
        }
        List<JsonNode> networks = Json.elements(Json.at(task, "Networks"));
        if (!networks.isEmpty()) {
            sb.append("\nNetworks:");
            for (JsonNode n : networks) {
                sb.append(' ').append(networkName.apply(Json.text(n, "Target")));
            }
            sb.append(' ');
        }
        sb.append("\nEndpoint Mode:\t").append(Json.text(spec, "EndpointSpec", "Mode"));
        List<JsonNode> ports = Json.elements(Json.at(s, "Endpoint", "Ports"));
        if (!ports.isEmpty()) {
            sb.append("\nPorts:");
            for (JsonNode p : ports) {
                sb.append("\n PublishedPort = ")
                        .append(Json.text(p, "PublishedPort"))
                        .append("\n  Protocol = ")
                        .append(Json.text(p, "Protocol"))
                        .append("\n  TargetPort = ")
                        .append(Json.text(p, "TargetPort"))
                        .append("\n  PublishMode = ")
                        .append(Json.text(p, "PublishMode"));
            }
            sb.append(' ');
        }
        JsonNode hc = Json.at(cs, "Healthcheck");
        if (Json.has(cs, "Healthcheck")) {
            sb.append("\n Healthcheck:")
                    .append("\n  Interval = ")
                    .append(GoDuration.format(Json.number(hc, "Interval")))
                    .append("\n  Retries = ")
                    .append(Json.number(hc, "Retries"))
                    .append("\n  StartPeriod =\t")
                    .append(GoDuration.format(Json.number(hc, "StartPeriod")))
                    .append("\n  Timeout =\t")
                    .append(GoDuration.format(Json.number(hc, "Timeout")));
            List<String> tests = Json.strings(Json.at(hc, "Test"));
            if (!tests.isEmpty()) {
                sb.append("\n  Tests:");
                tests.forEach(t -> sb.append("\n\t Test = ").append(t));
                sb.append(' ');
            }
        }
        return sb.append('\n').toString();
    }

    private static void updateConfig(StringBuilder sb, JsonNode spec, String field, String orderLabel) {
        if (!Json.has(spec, field)) {
            return;
        }
        JsonNode uc = Json.at(spec, field);
        sb.append('\n').append(field).append(":\n Parallelism:\t").append(Json.number(uc, "Parallelism"));
        long delay = Json.number(uc, "Delay");
        if (delay > 0) {
            sb.append("\n Delay:\t\t").append(GoDuration.format(delay));
        }
        sb.append("\n On failure:\t").append(Json.text(uc, "FailureAction"));
        long monitor = Json.number(uc, "Monitor");
        if (monitor > 0) {
            sb.append("\n Monitoring Period: ").append(GoDuration.format(monitor));
        }
        sb.append("\n Max failure ratio: ")
                .append(Json.goFloat(Json.at(uc, "MaxFailureRatio").asDouble(0)));
        sb.append("\n ").append(orderLabel).append(Json.text(uc, "Order"));
    }

    /** Go's {@code %v} of a {@code []string}: {@code [a b]}. */
    private static String goList(List<String> values) {
        return "[" + String.join(" ", values) + "]";
    }

    private static String cpus(long nanoCpus) {
        return Json.goFloat(nanoCpus / 1e9);
    }

    private static String ago(String timestamp, Instant now) {
        return Text.humanDuration(Text.since(Text.parseTime(timestamp), now)) + " ago";
    }
}
