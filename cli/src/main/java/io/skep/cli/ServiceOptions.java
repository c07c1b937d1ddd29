package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.api.model.ServiceSpec;
import java.util.Set;
import picocli.CommandLine.Option;

/** The flags {@code service create} and {@code service update} share (a picocli mixin). */
final class ServiceOptions {

    static final Set<String> RESTART_CONDITIONS = Set.of("none", "on-failure", "any");
    static final Set<String> FAILURE_ACTIONS = Set.of("pause", "continue", "rollback");
    static final Set<String> UPDATE_ORDERS = Set.of("start-first", "stop-first");

    @Option(
            names = {"-d", "--detach"},
            arity = "0..1",
            description = "Exit immediately instead of waiting for the service to converge")
    boolean detach;

    @Option(
            names = {"-q", "--quiet"},
            arity = "0..1",
            description = "Suppress progress output")
    boolean quiet;

    @Option(
            names = "--no-resolve-image",
            arity = "0..1",
            description = "Do not query the registry to resolve image digest and supported platforms")
    boolean noResolveImage;

    @Option(
            names = "--endpoint-mode",
            paramLabel = "MODE",
            description = "Endpoint mode (vip or dnsrr) (default \"vip\")")
    String endpointMode;

    @Option(names = "--replicas", paramLabel = "N", description = "Number of tasks")
    String replicas;

    @Option(
            names = {"-w", "--workdir"},
            paramLabel = "DIR",
            description = "Working directory inside the container")
    String workdir;

    @Option(
            names = {"-u", "--user"},
            paramLabel = "USER",
            description = "Username or UID (format: <name|uid>[:<group|gid>])")
    String user;

    @Option(names = "--hostname", paramLabel = "NAME", description = "Container hostname")
    String hostname;

    @Option(names = "--stop-signal", paramLabel = "SIGNAL", description = "Signal to stop the container")
    String stopSignal;

    @Option(
            names = "--stop-grace-period",
            paramLabel = "DURATION",
            description = "Time to wait before force killing a container (ns|us|ms|s|m|h) (default 10s)")
    String stopGracePeriod;

    @Option(names = "--limit-cpu", paramLabel = "CPUS", description = "Limit CPUs")
    String limitCpu;

    @Option(names = "--limit-memory", paramLabel = "BYTES", description = "Limit Memory")
    String limitMemory;

    @Option(
            names = "--limit-pids",
            paramLabel = "N",
            description = "Limit maximum number of processes (default 0 = unlimited)")
    String limitPids;

    @Option(names = "--reserve-cpu", paramLabel = "CPUS", description = "Reserve CPUs")
    String reserveCpu;

    @Option(names = "--reserve-memory", paramLabel = "BYTES", description = "Reserve Memory")
    String reserveMemory;

    @Option(
            names = "--replicas-max-per-node",
            paramLabel = "N",
            description = "Maximum number of tasks per node (default 0 = unlimited)")
    String replicasMaxPerNode;

    @Option(
            names = "--restart-condition",
            paramLabel = "CONDITION",
            description = "Restart when condition is met (\"none\", \"on-failure\", \"any\") (default \"any\")")
    String restartCondition;

    @Option(
            names = "--restart-delay",
            paramLabel = "DURATION",
            description = "Delay between restart attempts (ns|us|ms|s|m|h) (default 5s)")
    String restartDelay;

    @Option(
            names = "--restart-max-attempts",
            paramLabel = "N",
            description = "Maximum number of restarts before giving up")
    String restartMaxAttempts;

    @Option(
            names = "--restart-window",
            paramLabel = "DURATION",
            description = "Window used to evaluate the restart policy (ns|us|ms|s|m|h)")
    String restartWindow;

    @Option(
            names = "--runtime",
            paramLabel = "NAME",
            description = "Task runtime the service needs (docker, process, ...); sets the service label "
                    + SkepLabels.RUNTIME)
    String runtime;

    @Option(
            names = "--auto-rebalance",
            arity = "0..1",
            paramLabel = "BOOL",
            description = "Move tasks to nodes that join or return until the spread is even, within the update "
                    + "parallelism (skep; sets the service label " + ServiceSpec.REBALANCE_LABEL + "=auto)")
    Boolean autoRebalance;

    @Option(
            names = "--update-parallelism",
            paramLabel = "N",
            description = "Maximum number of tasks updated simultaneously (0 to update all at once) (default 1)")
    String updateParallelism;

    @Option(
            names = "--update-delay",
            paramLabel = "DURATION",
            description = "Delay between updates (ns|us|ms|s|m|h) (default 0s)")
    String updateDelay;

    @Option(
            names = "--update-monitor",
            paramLabel = "DURATION",
            description = "Duration after each task update to monitor for failure (ns|us|ms|s|m|h) (default 5s)")
    String updateMonitor;

    @Option(
            names = "--update-failure-action",
            paramLabel = "ACTION",
            description = "Action on update failure (\"pause\", \"continue\", \"rollback\") (default \"pause\")")
    String updateFailureAction;

    @Option(
            names = "--update-max-failure-ratio",
            paramLabel = "RATIO",
            description = "Failure rate to tolerate during an update (default 0)")
    String updateMaxFailureRatio;

    @Option(
            names = "--update-order",
            paramLabel = "ORDER",
            description = "Update order (\"start-first\", \"stop-first\") (default \"stop-first\")")
    String updateOrder;

    boolean resourcesChanged() {
        return limitCpu != null
                || limitMemory != null
                || limitPids != null
                || reserveCpu != null
                || reserveMemory != null;
    }

    /**
     * Sets the {@code --limit-*} and {@code --reserve-*} flags given on {@code Resources.Limits} and
     * {@code Resources.Reservations}, keeping the values not named.
     */
    void applyResources(ObjectNode resources, ApiCommand cmd) {
        ObjectNode limits = Json.objectAt(resources, "Limits");
        ObjectNode reservations = Json.objectAt(resources, "Reservations");
        if (reserveCpu != null) {
            reservations.put("NanoCPUs", cpus(cmd, "--reserve-cpu", reserveCpu));
        }
        if (reserveMemory != null) {
            reservations.put("MemoryBytes", bytes(cmd, "--reserve-memory", reserveMemory));
        }
        if (limitCpu != null) {
            limits.put("NanoCPUs", cpus(cmd, "--limit-cpu", limitCpu));
        }
        if (limitMemory != null) {
            limits.put("MemoryBytes", bytes(cmd, "--limit-memory", limitMemory));
        }
        if (limitPids != null) {
            limits.put("Pids", unsigned(cmd, "--limit-pids", limitPids));
        }
    }

    /** Docker's NanoCPUs flag value: a decimal count of CPUs ({@code 0.5}). */
    static long cpus(ApiCommand cmd, String flag, String value) {
        try {
            java.math.BigDecimal n = new java.math.BigDecimal(value.trim()).movePointRight(9);
            if (n.signum() < 0) {
                throw new NumberFormatException();
            }
            return n.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw cmd.invalidFlag(flag, value, "failed to parse " + value + " as a rational number");
        }
    }

    /** Docker's memory sizes: a number with an optional unit b, k, m, g (or kb, mb, gb), powers of 1024. */
    static long bytes(ApiCommand cmd, String flag, String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "(?i)^\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?\\s*$")
                .matcher(value);
        if (!m.matches()) {
            throw cmd.invalidFlag(flag, value, "invalid size: '" + value + "'");
        }
        int power = "bkmgt"
                .indexOf(
                        m.group(2).isEmpty()
                                ? 'b'
                                : Character.toLowerCase(m.group(2).charAt(0)));
        return new java.math.BigDecimal(m.group(1))
                .multiply(java.math.BigDecimal.valueOf(1024).pow(power))
                .longValue();
    }

    static long duration(ApiCommand cmd, String flag, String value) {
        try {
            return GoDuration.parseNonNegative(value);
        } catch (IllegalArgumentException e) {
            throw cmd.invalidFlag(flag, value, e.getMessage());
        }
    }

    static long unsigned(ApiCommand cmd, String flag, String value) {
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw cmd.invalidFlag(flag, value, "strconv.ParseUint: parsing \"" + value + "\": invalid syntax");
        }
    }

    static String oneOf(ApiCommand cmd, String flag, String value, Set<String> allowed, String list) {
        if (!allowed.contains(value)) {
            throw cmd.invalidFlag(flag, value, "must be one of " + list);
        }
        return value;
    }

    boolean restartChanged() {
        return restartCondition != null || restartDelay != null || restartMaxAttempts != null || restartWindow != null;
    }

    /** The task's restart policy with the restart flags applied; swarmkit's defaults when there was none. */
    ObjectNode restartPolicy(JsonNode existing, ApiCommand cmd) {
        ObjectNode rp;
        if (existing instanceof ObjectNode o) {
            rp = o.deepCopy();
        } else {
            rp = Json.object();
            rp.put("Condition", "any");
            rp.put("Delay", 5_000_000_000L);
            rp.put("MaxAttempts", 0);
        }
        if (restartCondition != null) {
            rp.put(
                    "Condition",
                    oneOf(cmd, "--restart-condition", restartCondition, RESTART_CONDITIONS, "none, on-failure, any"));
        }
        if (restartDelay != null) {
            rp.put("Delay", duration(cmd, "--restart-delay", restartDelay));
        }
        if (restartMaxAttempts != null) {
            rp.put("MaxAttempts", unsigned(cmd, "--restart-max-attempts", restartMaxAttempts));
        }
        if (restartWindow != null) {
            rp.put("Window", duration(cmd, "--restart-window", restartWindow));
        }
        return rp;
    }

    boolean updateConfigChanged() {
        return updateParallelism != null
                || updateDelay != null
                || updateMonitor != null
                || updateFailureAction != null
                || updateMaxFailureRatio != null
                || updateOrder != null;
    }

    /** The update config with the update flags applied; swarmkit's defaults when there was none. */
    ObjectNode updateConfig(JsonNode existing, ApiCommand cmd) {
        ObjectNode uc;
        if (existing instanceof ObjectNode o) {
            uc = o.deepCopy();
        } else {
            uc = Json.object();
            uc.put("Parallelism", 1);
            uc.put("FailureAction", "pause");
            uc.put("Monitor", ServiceProgress.DEFAULT_MONITOR_NANOS);
            uc.put("MaxFailureRatio", 0);
            uc.put("Order", "stop-first");
        }
        if (updateParallelism != null) {
            uc.put("Parallelism", unsigned(cmd, "--update-parallelism", updateParallelism));
        }
        if (updateDelay != null) {
            long delay = duration(cmd, "--update-delay", updateDelay);
            if (delay == 0) {
                uc.remove("Delay");
            } else {
                uc.put("Delay", delay);
            }
        }
        if (updateMonitor != null) {
            long monitor = duration(cmd, "--update-monitor", updateMonitor);
            if (monitor == 0) {
                uc.remove("Monitor");
            } else {
                uc.put("Monitor", monitor);
            }
        }
        if (updateFailureAction != null) {
            uc.put(
                    "FailureAction",
                    oneOf(
                            cmd,
                            "--update-failure-action",
                            updateFailureAction,
                            FAILURE_ACTIONS,
                            "pause, continue, rollback"));
        }
        if (updateMaxFailureRatio != null) {
            double ratio;
            try {
                ratio = Double.parseDouble(updateMaxFailureRatio);
            } catch (NumberFormatException e) {
                throw cmd.invalidFlag("--update-max-failure-ratio", updateMaxFailureRatio, "invalid syntax");
            }
            if (ratio < 0 || ratio > 1) {
                throw cmd.invalidFlag(
                        "--update-max-failure-ratio", updateMaxFailureRatio, "value must be between 0 and 1");
            }
            if (ratio == Math.rint(ratio)) {
                uc.put("MaxFailureRatio", (long) ratio);
            } else {
                uc.put("MaxFailureRatio", ratio);
            }
        }
        if (updateOrder != null) {
            uc.put("Order", oneOf(cmd, "--update-order", updateOrder, UPDATE_ORDERS, "start-first, stop-first"));
        }
        return uc;
    }

    /** Sets {@code Placement.MaxReplicas} when {@code --replicas-max-per-node} is given (0 removes the limit). */
    void applyMaxReplicas(ObjectNode placement, ObjectNode mode, ApiCommand cmd) {
        if (replicasMaxPerNode == null) {
            return;
        }
        long n = unsigned(cmd, "--replicas-max-per-node", replicasMaxPerNode);
        if (!mode.has("Replicated") && !mode.has("ReplicatedJob")) {
            throw new CliException("replicas-max-per-node can only be used with replicated or replicated-job mode");
        }
        if (n == 0) {
            placement.remove("MaxReplicas");
        } else {
            placement.put("MaxReplicas", n);
        }
    }

    /** Sets the replica count of a replicated (or replicated-job) mode. */
    void applyReplicas(ObjectNode mode, ApiCommand cmd) {
        if (replicas == null) {
            return;
        }
        long n = unsigned(cmd, "--replicas", replicas);
        if (mode.get("Replicated") instanceof ObjectNode replicated) {
            replicated.put("Replicas", n);
        } else if (mode.get("ReplicatedJob") instanceof ObjectNode job) {
            job.put("TotalCompletions", n);
        } else {
            throw new CliException("replicas can only be used with replicated or replicated-job mode");
        }
    }

    /** Sets the scalar container-spec fields these flags carry. */
    void applyContainerFields(ObjectNode containerSpec, ApiCommand cmd) {
        putOrRemove(containerSpec, "Hostname", hostname);
        putOrRemove(containerSpec, "Dir", workdir);
        putOrRemove(containerSpec, "User", user);
        putOrRemove(containerSpec, "StopSignal", stopSignal);
        if (stopGracePeriod != null) {
            containerSpec.put("StopGracePeriod", duration(cmd, "--stop-grace-period", stopGracePeriod));
        }
    }

    private static void putOrRemove(ObjectNode node, String field, String value) {
        if (value == null) {
            return;
        }
        if (value.isEmpty()) {
            node.remove(field);
        } else {
            node.put(field, value);
        }
    }

    /** Sets or removes the rebalancing label as {@code --auto-rebalance} says. */
    void applyRebalance(ObjectNode labels) {
        if (autoRebalance == null) {
            return;
        }
        if (autoRebalance) {
            labels.put(ServiceSpec.REBALANCE_LABEL, ServiceSpec.REBALANCE_AUTO);
        } else {
            labels.remove(ServiceSpec.REBALANCE_LABEL);
        }
    }

    /** {@code --endpoint-mode}: how the service is reached on its networks, a virtual IP or DNS round robin. */
    void applyEndpointMode(ObjectNode endpoint) {
        if (endpointMode != null) {
            endpoint.put("Mode", endpointMode);
        }
    }

    /** Sets (or, given an empty name, removes) the runtime label. */
    void applyRuntime(ObjectNode labels) {
        if (runtime == null) {
            return;
        }
        if (runtime.isBlank()) {
            labels.remove(SkepLabels.RUNTIME);
        } else {
            labels.put(SkepLabels.RUNTIME, runtime.trim());
        }
    }
}
