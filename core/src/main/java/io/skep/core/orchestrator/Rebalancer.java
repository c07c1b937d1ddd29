package io.skep.core.orchestrator;

import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.scheduler.Demand;
import io.skep.core.scheduler.NodeInfo;
import io.skep.core.scheduler.Strategies;
import io.skep.core.scheduler.SwarmLoad;
import io.skep.core.store.Batch;
import io.skep.core.store.ServicePatch;
import io.skep.core.store.TaskPatch;
import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.Resources;
import io.skep.spi.scheduler.SchedulerStrategy;
import io.skep.spi.scheduler.TaskMove;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a replicated service's running tasks until its placement is what its scheduler strategy aims at (beyond
 * Swarm, which never moves a running task: moby/moby#24103). Only for a service that asks
 * ({@link Service#wantsRebalance()}), only once its update is over, and at most {@code UpdateConfig.Parallelism}
 * tasks in flight at a time, each move stop-first like an update's: the old task is stopped, a new one of the same
 * slot is scheduled anew.
 *
 * <p>"Even" is the strategy's to say ({@link SchedulerStrategy#nextMove}): the one that places the service's tasks
 * ({@link Strategies}) names each move. By default, the HA spread's rule: a move from node X to node Y only when it
 * strictly evens the level of the preference tree where X and Y part, so a move never undoes another.
 */
final class Rebalancer {
    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
    private static final Set<String> UPDATING = Set.of("updating", "paused", "rollback_started", "rollback_paused");

    private final Strategies strategies;

    Rebalancer(Strategies strategies) {
        this.strategies = strategies;
    }

    /**
     * One pass for a service.
     *
     * @param live the service's live slots as this pass leaves them
     */
    void rebalance(Service s, String runtime, List<List<Task>> live, SwarmLoad load, Batch batch) {
        if (s.updateStatus != null && UPDATING.contains(s.updateStatus.state)) {
            return;
        }
        int inFlight = 0;
        Map<String, List<Task>> running = new HashMap<>();
        for (List<Task> slot : live) {
            for (Task t : slot) {
                if (!t.isWanted()) {
                    continue;
                }
                if (!Tasks.upToDate(t, s)) {
                    return; // an update is still to replace it: that comes first
                }
                if (t.nodeId == null || t.state() != TaskState.RUNNING || t.desired() != TaskState.RUNNING) {
                    inFlight++;
                } else {
                    running.computeIfAbsent(t.nodeId, k -> new ArrayList<>()).add(t);
                }
            }
        }
        long parallelism = s.spec.updateConfig == null || s.spec.updateConfig.parallelism == null
                ? 1
                : s.spec.updateConfig.parallelism;
        long allowed = parallelism == 0 ? Long.MAX_VALUE : parallelism - inFlight;
        if (running.isEmpty() || allowed <= 0) {
            return;
        }
        Demand demand = load.demand(running.values().iterator().next().getFirst());
        int count = running.values().stream().mapToInt(List::size).sum();
        PlacementRequest request = new PlacementRequest(
                s.id,
                count,
                s.spec.taskTemplate.spreadDescriptors(),
                new Resources(demand.nanoCpus(), demand.memoryBytes()),
                s.spec.labels == null ? Map.of() : s.spec.labels);
        // Without a strategy nothing could place a moved task (the scheduler says why on pending ones): no moves.
        SchedulerStrategy strategy = strategies.choose(request).strategy();
        Map<String, Integer> tasksOn = new HashMap<>();
        running.forEach((id, tasks) -> tasksOn.put(id, tasks.size()));
        Map<String, Integer> room = new HashMap<>();
        load.nodes().stream().filter(n -> n.fits(demand)).forEach(n -> room.put(n.id(), n.capacity(demand)));
        int moves = 0;
        while (strategy != null && moves < allowed) {
            Optional<TaskMove> next = strategy.nextMove(request, candidates(load, tasksOn, room));
            if (next.isEmpty()) {
                break;
            }
            TaskMove move = next.get();
            List<Task> onSource = running.getOrDefault(move.fromNodeId(), List.of());
            if (onSource.isEmpty() || room.getOrDefault(move.toNodeId(), 0) <= 0) {
                LOG.warn(
                        "scheduler strategy {} asked to move a task of service {} from {} to {}, which cannot be;"
                                + " not rebalanced",
                        strategy.name(),
                        s.id,
                        move.fromNodeId(),
                        move.toNodeId());
                break;
            }
            Task t = onSource.stream()
                    .max(Comparator.comparingLong(Task::slotNumber))
                    .orElseThrow();
            onSource.remove(t);
            batch.patchTask(t.id, TaskPatch.desired(TaskState.SHUTDOWN.wire()));
            // Made ready: it starts once the old task has stopped; the scheduler places it as the strategy does.
            batch.create(Tasks.create(s, t.slotNumber(), null, runtime, TaskState.READY));
            tasksOn.merge(move.fromNodeId(), -1, Integer::sum);
            tasksOn.merge(move.toNodeId(), 1, Integer::sum);
            room.merge(move.toNodeId(), -1, Integer::sum);
            moves++;
        }
        if (moves == 0 && inFlight == 0 && s.rebalanceRequested()) {
            ServicePatch p = new ServicePatch();
            p.rebalanceStatus = Json.copy(s.rebalanceStatus);
            p.rebalanceStatus.state = "completed";
            p.rebalanceStatus.completedAt = Ids.now();
            p.rebalanceStatus.message = "rebalance completed";
            batch.patchService(s.id, p);
        }
    }

    /**
     * Every node with the service's running tasks (as the moves planned so far leave them) or room for one: the
     * strategy's view. A node gone from the store keeps its tasks here (without attributes) until they are moved.
     */
    private static List<NodeCandidate> candidates(
            SwarmLoad load, Map<String, Integer> tasksOn, Map<String, Integer> room) {
        Map<String, NodeCandidate> out = new LinkedHashMap<>();
        for (NodeInfo n : load.nodes()) {
            int tasks = tasksOn.getOrDefault(n.id(), 0);
            int capacity = room.getOrDefault(n.id(), 0);
            if (tasks > 0 || capacity > 0) {
                out.put(
                        n.id(),
                        new NodeCandidate(
                                n.id(), n.attributes(), tasks, n.totalTasks(), capacity, 0, n.free(), n.total()));
            }
        }
        tasksOn.forEach((id, tasks) -> {
            if (!out.containsKey(id) && tasks > 0) {
                out.put(id, new NodeCandidate(id, Map.of(), tasks, 0, 0, 0));
            }
        });
        return List.copyOf(out.values());
    }
}
