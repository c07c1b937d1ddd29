package io.skep.core.orchestrator;

import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.scheduler.Strategies;
import io.skep.core.scheduler.SwarmLoad;
import io.skep.core.store.Batch;
import io.skep.core.store.MemoryStore;
import io.skep.core.store.StoreEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps each replicated service at its replica count: one wanted task per slot 1..N. Replaces ended tasks
 * per the restart policy, adds and removes slots on scale, replaces out-of-date tasks on update.
 *
 * <p>A task on a node that is down or drained is shut down and replaced at once, per its restart policy (and a
 * task whose node no longer meets its constraints, always); the
 * scheduler places the replacement on another node (Swarm waits out the restart delay for a down node: skep
 * does not, so that a lost worker's tasks run elsewhere as soon as it is found down). When such a node comes
 * back, its agent finds the old task wanted shut down, and stops it.
 *
 * <p>A service that asks for it is rebalanced ({@link Rebalancer}) once nothing else is to be done for it.
 *
 * <p>A slot whose task ended and was not restarted (condition none, on-failure after success, attempts
 * used up) stays dead until the service changes, as in Swarm: it is not refilled on every pass.
 */
public final class ReplicatedOrchestrator extends ReconcileLoop {
    private final StoreWriter store;
    private final ServiceReconciler common;
    private final Rebalancer rebalancer;
    /**
     * The services whose tasks or spec changed since the last pass: a pass looks at these alone, so that a busy
     * swarm's stream of task reports costs a pass over one service, not over all. A node's change, a timer (restart
     * delay, update monitor) and the first pass look at every service.
     */
    private final Set<String> changedServices = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean allChanged = new AtomicBoolean(true);
    /** When the earliest timer a pass asked for is due (nanoTime). */
    private volatile long timerDue = Long.MAX_VALUE;

    /** @param strategies the node's scheduler strategies: the rebalancer asks them what "even" is */
    public ReplicatedOrchestrator(StoreWriter store, RestartSupervisor restarts, Strategies strategies) {
        super("replicated-orchestrator");
        this.store = store;
        this.common = new ServiceReconciler(restarts, this::timer);
        this.rebalancer = new Rebalancer(strategies);
    }

    private void timer(Duration delay) {
        timerDue = Math.min(timerDue, System.nanoTime() + Math.max(0, delay.toNanos()));
        wakeIn(delay);
    }

    @Override
    protected boolean interested(List<StoreEvent> events) {
        boolean any = false;
        for (StoreEvent e : events) {
            switch (e.kind()) {
                case NODE -> allChanged.set(true);
                case SERVICE -> changedServices.add(e.object().id);
                case TASK -> changedServices.add(((Task) e.object()).serviceId);
                default -> {
                    continue;
                }
            }
            any = true;
        }
        return any;
    }

    @Override
    protected void reconcile() throws Exception {
        boolean all = allChanged.getAndSet(false) | System.nanoTime() >= timerDue; // both: the flag is taken
        if (all) {
            timerDue = Long.MAX_VALUE; // the timers still needed are asked for again by this pass
        }
        Set<String> changed = new HashSet<>(changedServices);
        changedServices.removeAll(changed);
        try {
            reconcile(all, changed);
        } catch (Exception e) {
            if (all) {
                allChanged.set(true);
            }
            changedServices.addAll(changed);
            throw e;
        }
    }

    private void reconcile(boolean all, Set<String> changed) throws Exception {
        MemoryStore m = store.memory();
        Batch batch = new Batch();
        NodeView nodes = new NodeView(m.nodes());
        SwarmLoad load = null; // read only when a service wants rebalancing
        for (Service s : m.services()) {
            if (!s.isGlobal() && (all || changed.contains(s.id))) {
                List<List<Task>> live = reconcileService(s, m.tasksOfService(s.id), nodes, batch);
                if (s.wantsRebalance()) {
                    load = load == null ? SwarmLoad.of(m) : load;
                    rebalancer.rebalance(s, s.runtime(), live, load, batch);
                }
            }
        }
        store.commit(batch);
    }

    /** @return the service's live slots as this pass leaves them */
    private List<List<Task>> reconcileService(Service s, List<Task> all, NodeView nodes, Batch batch) {
        String runtime = s.runtime();
        // Slot -> tasks, leaving out tasks on their way out (scale-down, removal).
        Map<Long, List<Task>> slots = new TreeMap<>();
        for (Task t : all) {
            if (t.desired() != TaskState.REMOVE) {
                slots.computeIfAbsent(t.slotNumber(), k -> new ArrayList<>()).add(t);
            }
        }
        for (Map.Entry<Long, List<Task>> e : slots.entrySet()) {
            e.setValue(common.replaceLost(s, runtime, e.getKey(), s.id + "/" + e.getKey(), e.getValue(), nodes, batch));
        }
        for (Map.Entry<Long, List<Task>> e : slots.entrySet()) {
            // What the slot holds after this pass: its tasks as this pass leaves them, and any replacement.
            e.setValue(new ArrayList<>(
                    common.superviseSlot(s, runtime, e.getKey(), null, s.id + "/" + e.getKey(), e.getValue(), batch)));
        }

        List<Long> live = new ArrayList<>();
        List<Long> dead = new ArrayList<>();
        for (Map.Entry<Long, List<Task>> e : slots.entrySet()) {
            List<Task> tasks = e.getValue();
            if (tasks.stream().anyMatch(Task::isWanted)) {
                live.add(e.getKey());
            } else {
                Task newest = Tasks.newest(tasks);
                if (newest != null && Objects.equals(newest.specVersion, s.specVersion)) {
                    dead.add(e.getKey());
                }
            }
        }
        long replicas = s.replicas();
        long occupied = live.size() + dead.size();
        if (occupied < replicas) {
            Set<Long> taken = new HashSet<>(live);
            taken.addAll(dead);
            long need = replicas - occupied;
            for (long slot = 1; need > 0; slot++) {
                if (!taken.contains(slot)) {
                    Task t = Tasks.create(s, slot, null, runtime, TaskState.RUNNING);
                    batch.create(t);
                    slots.computeIfAbsent(slot, k -> new ArrayList<>()).add(t);
                    live.add(slot);
                    need--;
                }
            }
        } else if (occupied > replicas) {
            long excess = occupied - replicas;
            List<Long> victims = new ArrayList<>(dead.reversed());
            victims.addAll(live.stream().sorted(Comparator.reverseOrder()).toList());
            for (Long slot : victims) {
                if (excess-- <= 0) {
                    break;
                }
                slots.get(slot).forEach(t -> common.remove(t, batch));
                live.remove(slot);
            }
        }
        List<List<Task>> liveSlots = live.stream().map(slots::get).toList();
        common.rollingUpdate(s, runtime, liveSlots, batch);
        return liveSlots;
    }
}
