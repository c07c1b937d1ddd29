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

/**
 * Whether every service runs exactly its replica count, as the leader tells it and as the machine shows it: per
 * service, as many tasks running (and wanted running) as its replicas, one per slot, each with a live process;
 * and in the namespaces exactly as many task processes as all services' replicas together (a task the swarm
 * forgot, or one it runs twice, is a process too many).
 */
final class SettleCheck {
    private static final Duration ASK = Duration.ofSeconds(5);
    private static final Duration EVERY = Duration.ofMillis(200);

    private SettleCheck() {
    }

    /**
     * @param seconds from the start of the check until settled (NaN: not within the bound)
     * @param problems what was still off at the last look (empty when settled)
     */
    record Result(double seconds, List<String> problems) {
        boolean settled() {
            return problems.isEmpty();
        }
    }

    /** Waits until every service of {@code services} (by ID: replicas) is settled, or {@code within} is over. */
    static Result await(FaultSwarm swarm, Map<String, AgreedState.Service> services, Duration within)
            throws InterruptedException {
        long start = System.nanoTime();
        List<String> problems = new ArrayList<>(List.of("not looked yet"));
        boolean settled = Poll.until(within, EVERY, () -> {
            problems.clear();
            problems.addAll(problems(swarm, services));
            return problems.isEmpty();
        });
        return new Result(settled ? (System.nanoTime() - start) / 1e9 : Double.NaN, List.copyOf(problems));
    }

    private static List<String> problems(FaultSwarm swarm, Map<String, AgreedState.Service> services) {
        Optional<ManagerProcess> leader = swarm.leader();
        if (leader.isEmpty()) {
            return List.of("no leader");
        }
        JsonNode tasks;
        try {
            UnixHttpClient.Response r = leader.get().call("GET", "/tasks", null, ASK);
            if (!r.ok()) {
                return List.of("the leader's task list: " + r.status() + " " + r.message());
            }
            tasks = r.json();
        } catch (IOException e) {
            return List.of("the leader's task list: " + e);
        }
        Map<String, List<JsonNode>> running = new HashMap<>();
        for (JsonNode t : tasks) {
            if (t.path("DesiredState").asText().equals("running") && t.path("Status").path("State").asText()
                    .equals("running")) {
                running.computeIfAbsent(t.path("ServiceID").asText(), k -> new ArrayList<>()).add(t);
            }
        }
        Set<Long> processes = new HashSet<>(swarm.taskPids(ServiceWriter.TASK_COMMAND));
        List<String> problems = new ArrayList<>();
        int replicas = 0;
        for (AgreedState.Service s : services.values()) {
            replicas += s.replicas();
            List<JsonNode> mine = running.getOrDefault(s.id(), List.of());
            Set<Long> slots = new HashSet<>();
            int live = 0;
            for (JsonNode t : mine) {
                slots.add(t.path("Slot").asLong());
                live += processes.contains(t.path("Status").path("ContainerStatus").path("PID").asLong()) ? 1 : 0;
            }
            if (mine.size() != s.replicas() || slots.size() != s.replicas() || live != s.replicas()) {
                problems.add(s.state().service() + ": " + mine.size() + " tasks running in " + slots.size()
                        + " slots, " + live + " with a live process, for " + s.replicas() + " replicas");
            }
        }
        if (processes.size() != replicas) {
            problems.add(processes.size() + " task processes in the namespaces for " + replicas + " replicas in all");
        }
        return problems;
    }
}
