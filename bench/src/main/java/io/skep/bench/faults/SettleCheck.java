package io.skep.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether every service runs exactly its replica count, as the leader tells it and as the machine shows it: per
 * service, as many tasks running (and wanted running) as its replicas, one per slot, each with a live process;
 * and in the namespaces exactly as many task processes as that (a task the swarm forgot, or one it runs twice, is
 * a process too many).
 */
final class SettleCheck {
    private static final Duration ASK = Duration.ofSeconds(5);
    private static final Duration EVERY = Duration.ofMillis(200);

    private SettleCheck() {}

    /**
     * @param seconds   from the start of the check until settled (NaN: not within the bound)
     * @param problems  what was still off at the last look (empty when settled)
     * @param unsettled the services among the problems
     */
    record Result(double seconds, List<String> problems, Set<String> unsettled) {
        boolean settled() {
            return problems.isEmpty();
        }
    }

    /**
     * Waits until every service of {@code services} is settled, or {@code within} is over.
     *
     * @param excused services already found unsettled (a run that goes on after a failed check): their tasks are
     *                not checked again, and their live task processes are allowed for in the machine's count
     */
    static Result await(
            FaultSwarm swarm, Map<String, AgreedState.Service> services, Set<String> excused, Duration within)
            throws InterruptedException {
        long start = System.nanoTime();
        Result[] last = {new Result(Double.NaN, List.of("not looked yet"), Set.of())};
        boolean settled = Poll.until(within, EVERY, () -> {
            last[0] = look(swarm, services, excused);
            return last[0].settled();
        });
        return settled ? new Result((System.nanoTime() - start) / 1e9, List.of(), Set.of()) : last[0];
    }

    private static Result look(FaultSwarm swarm, Map<String, AgreedState.Service> services, Set<String> excused) {
        Optional<ManagerProcess> leader = swarm.leader();
        if (leader.isEmpty()) {
            return new Result(Double.NaN, List.of("no leader"), Set.of());
        }
        JsonNode tasks;
        try {
            UnixHttpClient.Response r = leader.get().call("GET", "/tasks", null, ASK);
            if (!r.ok()) {
                return new Result(
                        Double.NaN, List.of("the leader's task list: " + r.status() + " " + r.message()), Set.of());
            }
            tasks = r.json();
        } catch (IOException e) {
            return new Result(Double.NaN, List.of("the leader's task list: " + e), Set.of());
        }
        Map<String, List<JsonNode>> running = new HashMap<>();
        for (JsonNode t : tasks) {
            if (t.path("DesiredState").asText().equals("running")
                    && t.path("Status").path("State").asText().equals("running")) {
                running.computeIfAbsent(t.path("ServiceID").asText(), k -> new ArrayList<>())
                        .add(t);
            }
        }
        Set<Long> processes = new HashSet<>(swarm.taskPids(ServiceWriter.TASK_COMMAND));
        List<String> problems = new ArrayList<>();
        Set<String> unsettled = new TreeSet<>();
        int expected = 0;
        for (AgreedState.Service s : services.values()) {
            String name = s.state().service();
            List<JsonNode> mine = running.getOrDefault(s.id(), List.of());
            Set<Long> slots = new HashSet<>();
            int live = 0;
            for (JsonNode t : mine) {
                slots.add(t.path("Slot").asLong());
                live += processes.contains(t.path("Status")
                                .path("ContainerStatus")
                                .path("PID")
                                .asLong())
                        ? 1
                        : 0;
            }
            if (excused.contains(name)) {
                expected += live;
                continue;
            }
            expected += s.replicas();
            if (mine.size() != s.replicas() || slots.size() != s.replicas() || live != s.replicas()) {
                unsettled.add(name);
                problems.add(name + ": " + mine.size() + " tasks running in " + slots.size() + " slots, " + live
                        + " with a live process, for " + s.replicas() + " replicas" + notRunning(tasks, s.id()));
            }
        }
        if (processes.size() != expected) {
            problems.add(processes.size() + " task processes in the namespaces, for " + expected + " tasks");
        }
        return new Result(Double.NaN, List.copyOf(problems), Set.copyOf(unsettled));
    }

    /**
     * The service's tasks wanted running that do not run, as the leader has them (slot, state, node, message): what
     * a failed check needs to tell where a task got stuck.
     */
    private static String notRunning(JsonNode tasks, String serviceId) {
        StringBuilder out = new StringBuilder();
        for (JsonNode t : tasks) {
            JsonNode status = t.path("Status");
            if (t.path("ServiceID").asText().equals(serviceId)
                    && t.path("DesiredState").asText().equals("running")
                    && !status.path("State").asText().equals("running")) {
                out.append(out.isEmpty() ? "; not running: " : ", ")
                        .append("slot ")
                        .append(t.path("Slot").asLong())
                        .append(' ')
                        .append(status.path("State").asText())
                        .append(" on node ")
                        .append(t.path("NodeID").asText("-"))
                        .append(" since ")
                        .append(status.path("Timestamp").asText())
                        .append(" (\"")
                        .append(status.path("Message").asText())
                        .append("\")");
            }
        }
        return out.toString();
    }
}
