package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.client.ApiPath;
import io.skep.client.DaemonClient;
import io.skep.client.Filters;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Waits for a service to converge, printing progress exactly as the docker CLI's
 * {@code cli/command/service/progress} does: every poll interval {@code GET /services/{ref}},
 * {@code GET /tasks?filters={"_up-to-date":{"true":true},"service":{"<ID>":true}}} and {@code GET /nodes}; once all
 * tasks run, they must stay so for the monitor period ({@code UpdateConfig.Monitor}, else 5 s) before
 * {@code verify: Service <ref> converged}.
 */
final class ServiceProgress {

    static final Map<String, Integer> NUMBERED_STATES = Map.ofEntries(
            Map.entry("new", 1),
            Map.entry("allocated", 2),
            Map.entry("pending", 3),
            Map.entry("assigned", 4),
            Map.entry("accepted", 5),
            Map.entry("preparing", 6),
            Map.entry("ready", 7),
            Map.entry("starting", 8),
            Map.entry("running", 9),
            Map.entry("complete", 10),
            Map.entry("shutdown", 11),
            Map.entry("failed", 12),
            Map.entry("rejected", 13));
    static final int RUNNING = 9;
    static final int MAX_PROGRESS = 9;
    static final int MAX_PROGRESS_BARS = 20;
    static final int MAX_JOB_PROGRESS = 10;
    /** Length of the longest state shown ({@code allocated}, {@code preparing}). */
    static final int LONGEST_STATE = 9;

    static final long DEFAULT_MONITOR_NANOS = 5_000_000_000L;

    private final DaemonClient api;
    private final ProgressWriter out;
    private final Duration pollInterval;
    private volatile boolean converged;

    ServiceProgress(DaemonClient api, ProgressWriter out, Duration pollInterval) {
        this.api = api;
        this.out = out;
        this.pollInterval = pollInterval;
    }

    /** Waits on a service as {@code docker service create/update/scale} do without {@code -d}. */
    static void waitOn(CliContext ctx, String serviceRef, boolean quiet) {
        ProgressWriter writer = new ProgressWriter(ctx.out, ctx.tty, ctx.terminalWidth(), quiet);
        new ServiceProgress(ctx.client(), writer, ctx.pollInterval).run(serviceRef);
    }

    static int numbered(String state) {
        return NUMBERED_STATES.getOrDefault(state, 0);
    }

    static boolean terminal(String state) {
        return numbered(state) > RUNNING;
    }

    private static String state(JsonNode task) {
        return Json.text(task, "Status", "State");
    }

    private static String desired(JsonNode task) {
        return Json.text(task, "DesiredState");
    }

    private static String padState(String state) {
        return String.format("%-" + LONGEST_STATE + "s", state);
    }

    /** docker's {@code truncError}: one line, at most 75 characters. */
    static String truncError(String message) {
        String m = message.replace("\n", " ");
        if (m.length() > 75) {
            m = m.substring(0, 74) + "…";
        }
        return m;
    }

    /** Runs the loop; returns when converged (or the update completed); throws on a paused update. */
    void run(String serviceRef) {
        Thread hook = new Thread(
                () -> {
                    if (!converged) {
                        out.message("", "Operation continuing in background.");
                        out.message("", "Use `skep service ps " + serviceRef + "` to check progress.");
                    }
                },
                "skep-progress-interrupted");
        boolean hooked = false;
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            hooked = true;
        } catch (IllegalStateException | SecurityException e) {
            // shutting down already
        }
        try {
            loop(serviceRef);
        } finally {
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down: the hook runs
                }
            }
        }
    }

    private void loop(String serviceRef) {
        Updater updater = null;
        long convergedAt = 0;
        boolean hasConvergedAt = false;
        long monitor = DEFAULT_MONITOR_NANOS;
        boolean rollback = false;
        String[] message = null;
        converged = false;

        while (true) {
            JsonNode service = api.get(ApiPath.of("/services/{}", serviceRef).query("insertDefaults", "false"))
                    .body();
            long m = Json.number(service, "Spec", "UpdateConfig", "Monitor");
            if (m != 0) {
                monitor = m;
            }
            if (updater == null) {
                updater = initializeUpdater(service);
            }
            JsonNode updateStatus = Json.at(service, "UpdateStatus");
            if (Json.has(service, "UpdateStatus")) {
                String msg = Json.text(updateStatus, "Message");
                switch (Json.text(updateStatus, "State")) {
                    case "updating" -> rollback = false;
                    case "completed" -> {
                        if (!converged) {
                            return;
                        }
                    }
                    case "paused" -> throw new CliException("service update paused: " + msg);
                    case "rollback_started" -> {
                        if (!rollback && !msg.isEmpty()) {
                            out.progress("rollback", msg, 0, 0);
                        }
                        rollback = true;
                    }
                    case "rollback_paused" -> throw new CliException("service rollback paused: " + msg);
                    case "rollback_completed" -> {
                        if (!converged) {
                            message = new String[] {"rollback", msg};
                        }
                        rollback = true;
                    }
                    default -> {}
                }
            }
            if (converged && System.nanoTime() - convergedAt >= monitor) {
                out.progress("verify", "Service " + serviceRef + " converged", 0, 0);
                if (message != null) {
                    out.message(message[0], message[1]);
                }
                return;
            }

            String serviceId = Json.text(service, "ID");
            Filters filters = new Filters().add("_up-to-date", "true").add("service", serviceId);
            List<JsonNode> tasks =
                    Json.elements(api.get(ApiPath.of("/tasks").filters(filters)).body());
            Set<String> activeNodes = activeNodes();

            converged = updater.update(service, tasks, activeNodes, rollback);
            if (converged) {
                if (Json.has(service, "JobStatus")) {
                    out.message("", "job complete");
                    return;
                }
                if (!hasConvergedAt) {
                    convergedAt = System.nanoTime();
                    hasConvergedAt = true;
                }
                long wait = monitor - (System.nanoTime() - convergedAt);
                if (wait >= 0) {
                    out.progress(
                            "verify",
                            "Waiting " + (wait / 1_000_000_000L + 1) + " seconds to verify that tasks are stable...",
                            0,
                            0);
                }
            } else {
                if (hasConvergedAt) {
                    out.progress("verify", "Detected task failure", 0, 0);
                }
                hasConvergedAt = false;
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Nodes of {@code GET /nodes} that are not down. */
    private Set<String> activeNodes() {
        Set<String> active = new HashSet<>();
        for (JsonNode n : Json.elements(api.get("/nodes").body())) {
            if (!"down".equals(Json.text(n, "Status", "State"))) {
                active.add(Json.text(n, "ID"));
            }
        }
        return active;
    }

    private Updater initializeUpdater(JsonNode service) {
        JsonNode mode = Json.at(service, "Spec", "Mode");
        if (Json.has(mode, "Replicated") && Json.has(mode, "Replicated", "Replicas")) {
            return new ReplicatedUpdater();
        }
        if (Json.has(mode, "Global")) {
            return new GlobalUpdater();
        }
        if (Json.has(mode, "ReplicatedJob")) {
            return new ReplicatedJobUpdater(service);
        }
        if (Json.has(mode, "GlobalJob")) {
            return new GlobalJobUpdater();
        }
        throw new CliException("unrecognized service mode");
    }

    private void writeOverallProgress(long numerator, long denominator, boolean rollback) {
        if (rollback) {
            out.progress(
                    "overall progress",
                    "rolling back update: " + numerator + " out of " + denominator + " tasks",
                    0,
                    0);
        } else {
            out.progress("overall progress", numerator + " out of " + denominator + " tasks", 0, 0);
        }
    }

    private interface Updater {
        boolean update(JsonNode service, List<JsonNode> tasks, Set<String> activeNodes, boolean rollback);
    }

    /**
     * Picks, per key, the task with the lowest desired state, ties broken by the lowest observed state; tasks in
     * unknown states are skipped.
     */
    private static boolean keepExisting(JsonNode existing, JsonNode task) {
        if (numbered(desired(existing)) < numbered(desired(task))) {
            return true;
        }
        return numbered(desired(existing)) == numbered(desired(task))
                && numbered(state(existing)) <= numbered(state(task));
    }

    private final class ReplicatedUpdater implements Updater {
        private final Map<Long, Integer> slotMap = new HashMap<>();
        private boolean initialized;
        private boolean done;

        @Override
        public boolean update(JsonNode service, List<JsonNode> tasks, Set<String> activeNodes, boolean rollback) {
            if (!Json.has(service, "Spec", "Mode", "Replicated", "Replicas")) {
                throw new CliException("no replica count");
            }
            long replicas = Json.number(service, "Spec", "Mode", "Replicated", "Replicas");
            if (!initialized) {
                writeOverallProgress(0, replicas, rollback);
                if (replicas <= MAX_PROGRESS_BARS) {
                    for (long i = 1; i <= replicas; i++) {
                        out.progress(i + "/" + replicas, " ", 0, 0);
                    }
                }
                initialized = true;
            }
            Map<Long, JsonNode> bySlot = tasksBySlot(tasks, activeNodes);
            if (done) {
                for (JsonNode task : bySlot.values()) {
                    if (!"running".equals(state(task))) {
                        done = false;
                        break;
                    }
                }
            }
            long running = 0;
            for (JsonNode task : bySlot.values()) {
                long slot = Json.number(task, "Slot");
                Integer mapped = slotMap.get(slot);
                if (mapped == null) {
                    mapped = slotMap.size() + 1;
                    slotMap.put(slot, mapped);
                }
                if (!terminal(desired(task)) && "running".equals(state(task))) {
                    running++;
                }
                writeTaskProgress(task, mapped, replicas);
            }
            if (!done) {
                writeOverallProgress(running, replicas, rollback);
                if (running == replicas) {
                    done = true;
                }
            }
            return running == replicas;
        }

        private Map<Long, JsonNode> tasksBySlot(List<JsonNode> tasks, Set<String> activeNodes) {
            Map<Long, JsonNode> bySlot = new TreeMap<>();
            for (JsonNode task : tasks) {
                if (numbered(desired(task)) == 0 || numbered(state(task)) == 0) {
                    continue;
                }
                long slot = Json.number(task, "Slot");
                JsonNode existing = bySlot.get(slot);
                if (existing != null && keepExisting(existing, task)) {
                    continue;
                }
                String nodeId = Json.text(task, "NodeID");
                if (!nodeId.isEmpty() && !activeNodes.contains(nodeId)) {
                    continue;
                }
                bySlot.put(slot, task);
            }
            return bySlot;
        }

        private void writeTaskProgress(JsonNode task, int mappedSlot, long replicas) {
            if (done || replicas > MAX_PROGRESS_BARS || mappedSlot > replicas) {
                return;
            }
            String id = mappedSlot + "/" + replicas;
            String err = Json.text(task, "Status", "Err");
            if (!err.isEmpty()) {
                out.progress(id, truncError(err), 0, 0);
                return;
            }
            if (!terminal(desired(task)) && !terminal(state(task))) {
                out.progress(id, padState(state(task)), numbered(state(task)), MAX_PROGRESS);
            }
        }
    }

    private final class GlobalUpdater implements Updater {
        private boolean initialized;
        private boolean done;

        @Override
        public boolean update(JsonNode service, List<JsonNode> tasks, Set<String> activeNodes, boolean rollback) {
            Map<String, JsonNode> byNode = tasksByNode(tasks);
            int nodeCount = byNode.size();
            if (!initialized) {
                if (nodeCount == 0) {
                    out.progress("overall progress", "waiting for new tasks", 0, 0);
                    return false;
                }
                writeOverallProgress(0, nodeCount, rollback);
                initialized = true;
            }
            if (done) {
                for (JsonNode task : byNode.values()) {
                    if (!"running".equals(state(task))) {
                        done = false;
                        break;
                    }
                }
            }
            int running = 0;
            for (JsonNode task : byNode.values()) {
                if (activeNodes.contains(Json.text(task, "NodeID"))) {
                    if (!terminal(desired(task)) && "running".equals(state(task))) {
                        running++;
                    }
                    writeTaskProgress(task, nodeCount);
                }
            }
            if (!done) {
                writeOverallProgress(running, nodeCount, rollback);
                if (running == nodeCount) {
                    done = true;
                }
            }
            return running == nodeCount;
        }

        private Map<String, JsonNode> tasksByNode(List<JsonNode> tasks) {
            Map<String, JsonNode> byNode = new TreeMap<>();
            for (JsonNode task : tasks) {
                if (numbered(desired(task)) == 0 || numbered(state(task)) == 0) {
                    continue;
                }
                String nodeId = Json.text(task, "NodeID");
                JsonNode existing = byNode.get(nodeId);
                if (existing != null && keepExisting(existing, task)) {
                    continue;
                }
                byNode.put(nodeId, task);
            }
            return byNode;
        }

        private void writeTaskProgress(JsonNode task, int nodeCount) {
            if (done || nodeCount > MAX_PROGRESS_BARS) {
                return;
            }
            String id = Text.truncateId(Json.text(task, "NodeID"));
            String err = Json.text(task, "Status", "Err");
            if (!err.isEmpty()) {
                out.progress(id, truncError(err), 0, 0);
                return;
            }
            if (!terminal(desired(task)) && !terminal(state(task))) {
                out.progress(id, padState(state(task)), numbered(state(task)), MAX_PROGRESS);
            }
        }
    }

    private static long jobIteration(JsonNode task) {
        return Json.has(task, "JobIteration") ? Json.number(task, "JobIteration", "Index") : -1;
    }

    private final class ReplicatedJobUpdater implements Updater {
        private final long jobIteration;
        private final int concurrent;
        private final int total;
        private final int progressDigits;
        private final int activeDigits;
        private boolean initialized;

        ReplicatedJobUpdater(JsonNode service) {
            JsonNode job = Json.at(service, "Spec", "Mode", "ReplicatedJob");
            this.total = (int) Json.number(job, "TotalCompletions");
            this.concurrent = Json.has(job, "MaxConcurrent") ? (int) Json.number(job, "MaxConcurrent") : total;
            this.jobIteration = Json.number(service, "JobStatus", "JobIteration", "Index");
            this.progressDigits = String.valueOf(total).length();
            this.activeDigits = String.valueOf(concurrent).length();
        }

        @Override
        public boolean update(JsonNode service, List<JsonNode> tasks, Set<String> activeNodes, boolean rollback) {
            if (!initialized) {
                writeJobProgress(0, 0);
                if (total <= MAX_PROGRESS_BARS) {
                    for (int i = 1; i <= total; i++) {
                        out.progress(i + "/" + total, " ", 0, 0);
                    }
                }
                initialized = true;
            }
            Map<Long, JsonNode> bySlot = new HashMap<>();
            for (JsonNode task : tasks) {
                if (jobIteration(task) != jobIteration) {
                    continue;
                }
                if (numbered(desired(task)) == 0 || numbered(state(task)) == 0) {
                    continue;
                }
                long slot = Json.number(task, "Slot");
                JsonNode existing = bySlot.get(slot);
                if (existing == null || numbered(state(existing)) > numbered(state(task))) {
                    bySlot.put(slot, task);
                }
            }
            int active = 0;
            int complete = 0;
            for (long i = 0; i < bySlot.size(); i++) {
                JsonNode task = bySlot.get(i);
                if (task == null) {
                    continue;
                }
                writeTaskProgress(task);
                if (numbered(state(task)) < numbered("complete")) {
                    active++;
                }
                if ("complete".equals(state(task))) {
                    complete++;
                }
            }
            writeJobProgress(active, complete);
            return complete == total;
        }

        private void writeJobProgress(int active, int completed) {
            out.progress(
                    "job progress",
                    String.format("%" + progressDigits + "d out of %d complete", completed, total),
                    completed,
                    total);
            int actualDesired = Math.min(total - completed, concurrent);
            out.progress(
                    "active tasks",
                    String.format("%" + activeDigits + "d out of %" + activeDigits + "d tasks", active, actualDesired),
                    0,
                    0);
        }

        private void writeTaskProgress(JsonNode task) {
            if (total > MAX_PROGRESS_BARS) {
                return;
            }
            String id = (Json.number(task, "Slot") + 1) + "/" + total;
            String err = Json.text(task, "Status", "Err");
            if (!err.isEmpty()) {
                out.progress(id, truncError(err), 0, 0);
                return;
            }
            out.progress(id, padState(state(task)), numbered(state(task)), MAX_JOB_PROGRESS);
        }
    }

    private final class GlobalJobUpdater implements Updater {
        private boolean initialized;
        private int total;
        private int progressDigits;
        private Set<String> taskNodes;

        @Override
        public boolean update(JsonNode service, List<JsonNode> tasks, Set<String> activeNodes, boolean rollback) {
            long iteration = Json.number(service, "JobStatus", "JobIteration", "Index");
            if (!initialized) {
                if (tasks.isEmpty() && !activeNodes.isEmpty()) {
                    out.progress("job progress", "waiting for tasks", 0, 0);
                    return false;
                }
                taskNodes = new HashSet<>();
                for (JsonNode task : tasks) {
                    if (jobIteration(task) == iteration) {
                        taskNodes.add(Json.text(task, "NodeID"));
                    }
                }
                total = taskNodes.size();
                progressDigits = String.valueOf(total).length();
                writeJobProgress(0);
                initialized = true;
            }
            Map<String, JsonNode> byNode = new TreeMap<>();
            for (JsonNode task : tasks) {
                if (jobIteration(task) != iteration || !taskNodes.contains(Json.text(task, "NodeID"))) {
                    continue;
                }
                JsonNode old = byNode.get(Json.text(task, "NodeID"));
                if (old == null || numbered(state(old)) > numbered(state(task))) {
                    byNode.put(Json.text(task, "NodeID"), task);
                }
            }
            int complete = 0;
            for (JsonNode task : byNode.values()) {
                writeTaskProgress(task);
                if ("complete".equals(state(task))) {
                    complete++;
                }
            }
            writeJobProgress(complete);
            return complete == total;
        }

        private void writeJobProgress(int complete) {
            out.progress(
                    "job progress",
                    String.format("%" + progressDigits + "d out of %d complete", complete, total),
                    complete,
                    total);
        }

        private void writeTaskProgress(JsonNode task) {
            if (total > MAX_PROGRESS_BARS) {
                return;
            }
            String id = Json.text(task, "NodeID");
            String err = Json.text(task, "Status", "Err");
            if (!err.isEmpty()) {
                out.progress(id, truncError(err), 0, 0);
                return;
            }
            out.progress(id, padState(state(task)), numbered(state(task)), MAX_JOB_PROGRESS);
        }
    }
}
