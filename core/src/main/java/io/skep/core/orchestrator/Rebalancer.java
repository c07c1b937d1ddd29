package io.skep.core.orchestrator;

import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.scheduler.Demand;
import io.skep.core.scheduler.NodeInfo;
import io.skep.core.scheduler.SwarmLoad;
import io.skep.core.store.Batch;
import io.skep.core.store.ServicePatch;
import io.skep.core.store.TaskPatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves a replicated service's running tasks until its spread is even again (beyond Swarm, which never moves a
 * running task: moby/moby#24103). Only for a service that asks ({@link Service#wantsRebalance()}), only once its
 * update is over, and at most {@code UpdateConfig.Parallelism} tasks in flight at a time, each move stop-first like
 * an update's: the old task is stopped, a new one of the same slot is scheduled anew.
 *
 * <p>"Even" is the spread the scheduler aims at: the service's placement preferences form a tree of label values
 * (unlabelled nodes a branch of their own), the nodes its leaves. A move from node X to node Y is made only when it
 * strictly evens the level where X and Y part: Y's branch there holds at least two tasks fewer than X's. So a move
 * never undoes another, and a spread that is as even as it can be is left alone.
 */
final class Rebalancer {
    private static final Set<String> UPDATING = Set.of("updating", "paused", "rollback_started", "rollback_paused");

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
                ? 1 : s.spec.updateConfig.parallelism;
        long allowed = parallelism == 0 ? Long.MAX_VALUE : parallelism - inFlight;
        if (running.isEmpty() || allowed <= 0) {
            return;
        }
        Spread spread = new Spread(s.spec.taskTemplate.spreadDescriptors(), load, running);
        Demand demand = load.demand(running.values().iterator().next().getFirst());
        List<NodeInfo> targets = load.nodes().stream().filter(n -> n.fits(demand)).toList();
        Map<String, Integer> room = new HashMap<>();
        targets.forEach(n -> room.put(n.id(), n.capacity(demand)));
        int moves = 0;
        while (moves < allowed) {
            Move move = spread.bestMove(targets, room);
            if (move == null) {
                break;
            }
            List<Task> onSource = running.get(move.from());
            Task t = onSource.stream().max(Comparator.comparingLong(Task::slotNumber)).orElseThrow();
            onSource.remove(t);
            batch.patchTask(t.id, TaskPatch.desired(TaskState.SHUTDOWN.wire()));
            // Made ready: it starts once the old task has stopped; the scheduler sends it where the spread is thin.
            batch.create(Tasks.create(s, t.slotNumber(), null, runtime, TaskState.READY));
            spread.move(move);
            room.merge(move.to(), -1, Integer::sum);
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

    record Move(String from, String to) {
    }

    /** The service's running tasks counted per branch of the preference tree, at every level, and per node. */
    private static final class Spread {
        private final List<String> descriptors;
        private final SwarmLoad load;
        /** Branch (a node's label values down to a level; the node's ID appended at the last) → tasks in it. */
        private final Map<List<String>, Integer> counts = new HashMap<>();
        private final Map<String, List<List<String>>> branchesByNode = new HashMap<>();

        Spread(List<String> descriptors, SwarmLoad load, Map<String, List<Task>> running) {
            this.descriptors = descriptors;
            this.load = load;
            running.forEach((nodeId, tasks) -> add(nodeId, tasks.size()));
        }

        /** The branches a node is in, from the top level down to the node itself. */
        private List<List<String>> branches(String nodeId) {
            return branchesByNode.computeIfAbsent(nodeId, this::branchesOf);
        }

        private List<List<String>> branchesOf(String nodeId) {
            NodeInfo n = load.node(nodeId);
            String[] path = new String[descriptors.size() + 1];
            for (int i = 0; i < descriptors.size(); i++) {
                path[i] = n == null ? null : n.attribute(descriptors.get(i));
            }
            path[descriptors.size()] = nodeId;
            List<List<String>> out = new ArrayList<>(path.length);
            for (int level = 1; level <= path.length; level++) {
                out.add(Arrays.asList(Arrays.copyOf(path, level)));
            }
            return out;
        }

        private void add(String nodeId, int n) {
            branches(nodeId).forEach(b -> counts.merge(b, n, Integer::sum));
        }

        void move(Move m) {
            add(m.from(), -1);
            add(m.to(), 1);
        }

        /** The counts of a node's branches, top level first: the order in which spreads are compared. */
        private int[] load(String nodeId) {
            return branches(nodeId).stream().mapToInt(b -> counts.getOrDefault(b, 0)).toArray();
        }

        /**
         * The move that evens the spread most, or null: from the most loaded node that has a better place for a
         * task, to that place's least loaded node (fewest tasks in all, then ID, on ties).
         */
        Move bestMove(List<NodeInfo> targets, Map<String, Integer> room) {
            List<String> sources = counts.keySet().stream()
                    .filter(b -> b.size() == descriptors.size() + 1 && counts.get(b) > 0)
                    .map(List::getLast)
                    .sorted(Comparator.comparing(this::load, Arrays::compare).reversed())
                    .toList();
            for (String from : sources) {
                List<List<String>> fromBranches = branches(from);
                NodeInfo best = null;
                int[] bestLoad = null;
                for (NodeInfo to : targets) {
                    if (to.id().equals(from) || room.getOrDefault(to.id(), 0) <= 0) {
                        continue;
                    }
                    List<List<String>> toBranches = branches(to.id());
                    int level = 0;
                    while (level < fromBranches.size() - 1 && fromBranches.get(level).equals(toBranches.get(level))) {
                        level++;
                    }
                    if (counts.getOrDefault(toBranches.get(level), 0) + 1 >= counts.get(fromBranches.get(level))) {
                        continue; // no evener where they part
                    }
                    int[] toLoad = load(to.id());
                    int c = bestLoad == null ? -1 : Arrays.compare(toLoad, bestLoad);
                    if (best == null || c < 0 || (c == 0 && (to.totalTasks() < best.totalTasks()
                            || (to.totalTasks() == best.totalTasks() && to.id().compareTo(best.id()) < 0)))) {
                        best = to;
                        bestLoad = toLoad;
                    }
                }
                if (best != null) {
                    return new Move(from, best.id());
                }
            }
            return null;
        }
    }
}
