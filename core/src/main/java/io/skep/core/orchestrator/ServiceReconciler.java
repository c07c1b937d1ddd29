package io.skep.core.orchestrator;

import io.skep.api.model.Defaults;
import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.store.Batch;
import io.skep.core.store.ServicePatch;
import io.skep.core.store.TaskPatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the replicated and global orchestrators do alike for one slot (or node) of a service: replace ended
 * tasks per the restart policy, start delayed restarts when their delay is over, and replace out-of-date
 * tasks a few at a time when the service's spec changed.
 */
final class ServiceReconciler {
    private final RestartSupervisor restarts;
    private final Consumer<Duration> wakeIn;

    ServiceReconciler(RestartSupervisor restarts, Consumer<Duration> wakeIn) {
        this.restarts = restarts;
        this.wakeIn = wakeIn;
    }

    /**
     * A slot (or a global service's node) runs one task: should two be wanted running — only writes of two
     * leaderships crossing could make them — the one furthest along (then the newest) is kept and the others are
     * shut down.
     */
    static List<Task> oneRunning(List<Task> tasks, Batch batch) {
        List<Task> running = tasks.stream()
                .filter(t -> t.desired() == TaskState.RUNNING
                        && (t.state() == null || !t.state().isTerminal()))
                .toList();
        if (running.size() < 2) {
            return tasks;
        }
        Task kept = running.stream()
                .max(java.util.Comparator.comparing((Task t) -> t.state() == null ? TaskState.NEW : t.state())
                        .thenComparing(t -> t.createdAt == null ? "" : t.createdAt))
                .orElseThrow();
        List<Task> out = new ArrayList<>();
        for (Task t : tasks) {
            if (running.contains(t) && t != kept) {
                out.add(shutDown(t, batch));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    /** {@code t} asked to shut down: the patch goes in {@code batch}; returned is the task as it will be. */
    private static Task shutDown(Task t, Batch batch) {
        Task down = Json.copy(t);
        down.desiredState = TaskState.SHUTDOWN.wire();
        batch.patchTask(t.id, TaskPatch.desired(TaskState.SHUTDOWN.wire()));
        return down;
    }

    /**
     * Supervises the tasks of one slot (replicated) or node (global).
     *
     * @return the tasks the slot holds after this pass's writes: ended tasks now shut down, new tasks added
     */
    List<Task> superviseSlot(
            Service s, String runtime, long slot, String nodeId, String key, List<Task> tasks, Batch batch) {
        tasks = oneRunning(tasks, batch);
        List<Task> out = new ArrayList<>();
        for (Task t : tasks) {
            if (t.isWanted() && t.state() != null && t.state().isTerminal()) {
                out.add(shutDown(t, batch));
                boolean covered = tasks.stream().anyMatch(o -> o != t && o.isActive());
                if (!covered && restarts.shouldRestart(t, key)) {
                    Duration delay = Defaults.restartDelay(s.spec.taskTemplate);
                    Task next = Tasks.create(
                            s, slot, nodeId, runtime, delay.isZero() ? TaskState.RUNNING : TaskState.READY);
                    batch.create(next);
                    out.add(next);
                    if (!delay.isZero()) {
                        wakeIn.accept(delay);
                    }
                }
            } else if (t.isWanted() && t.desired() == TaskState.READY) {
                // Stop-first: a new task starts once the slot's other tasks have stopped, and a replacement for
                // a task that ended by itself also waits out the restart delay.
                if (tasks.stream()
                        .anyMatch(o -> o != t && started(o) && !o.state().isTerminal())) {
                    out.add(t); // the old task's stop is a store event: it wakes this loop
                    continue;
                }
                Task previous = Tasks.newest(
                        tasks.stream().filter(o -> o != t && started(o)).toList());
                Duration left = Duration.ZERO;
                if (previous != null && previous.state() != TaskState.SHUTDOWN) { // it ended by itself
                    left = Duration.between(
                            Instant.now(), Instant.parse(t.createdAt).plus(Defaults.restartDelay(t.spec)));
                }
                if (left.isNegative() || left.isZero()) {
                    Task running = Json.copy(t);
                    running.desiredState = TaskState.RUNNING.wire();
                    batch.patchTask(t.id, TaskPatch.desired(TaskState.RUNNING.wire()));
                    out.add(running);
                } else {
                    wakeIn.accept(left);
                    out.add(t);
                }
            } else {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Shuts down the slot's wanted tasks that sit on a node that is down, drained or gone, and creates a
     * replacement (with no node: the scheduler picks one) when the restart policy allows. A task whose node no
     * longer meets its constraints (relabelled, demoted) is moved the same way, always: it did not fail.
     *
     * @return the slot's tasks after this pass's writes
     */
    List<Task> replaceLost(
            Service s, String runtime, long slot, String key, List<Task> tasks, NodeView nodes, Batch batch) {
        List<Task> out = new ArrayList<>();
        for (Task t : tasks) {
            if (!t.isWanted()
                    || t.nodeId == null
                    || (t.state() != null && t.state().isTerminal())) {
                out.add(t);
                continue;
            }
            boolean usable = nodes.usable(t.nodeId);
            boolean misplaced = usable && !nodes.satisfies(t);
            if (usable && !misplaced) {
                out.add(t);
                continue;
            }
            out.add(shutDown(t, batch));
            if (misplaced || restarts.shouldRestart(t, key)) {
                Task next = Tasks.create(s, slot, null, runtime, TaskState.RUNNING);
                batch.create(next);
                out.add(next);
            }
        }
        return out;
    }

    /** Whether a task reached a node (so it may be running there, or has run). */
    private static boolean started(Task t) {
        return t.state() != null && t.state().compareTo(TaskState.ASSIGNED) >= 0;
    }

    void remove(Task t, Batch batch) {
        if (t.desired() != TaskState.REMOVE) {
            batch.patchTask(t.id, TaskPatch.desired(TaskState.REMOVE.wire()));
        }
    }

    /**
     * Replaces out-of-date tasks, {@code UpdateConfig.Parallelism} slots at a time (0: all at once), and
     * keeps {@code UpdateStatus} in step: updating while tasks are replaced, completed once all run.
     */
    void rollingUpdate(Service s, String runtime, List<List<Task>> liveSlots, Batch batch) {
        List<List<Task>> dirty = new ArrayList<>();
        int inFlight = 0;
        Instant lastStarted = Instant.EPOCH;
        String updateState = s.updateStatus == null ? null : s.updateStatus.state;
        // When the new tasks started matters only to an update that may be about to complete.
        boolean timing =
                s.previousSpec != null && ("updating".equals(updateState) || "rollback_started".equals(updateState));
        for (List<Task> slot : liveSlots) {
            List<Task> wanted = slot.stream().filter(Task::isWanted).toList();
            boolean hasCurrent = false;
            for (Task t : wanted) {
                if (Tasks.upToDate(t, s)) {
                    hasCurrent = true;
                    if (t.state() == null || t.state().compareTo(TaskState.RUNNING) < 0) {
                        inFlight++;
                    } else if (timing && t.status.timestamp != null) {
                        Instant started = Instant.parse(t.status.timestamp);
                        lastStarted = started.isAfter(lastStarted) ? started : lastStarted;
                    }
                }
            }
            if (!wanted.isEmpty() && !hasCurrent) {
                dirty.add(wanted);
            }
        }
        long parallelism = s.spec.updateConfig == null || s.spec.updateConfig.parallelism == null
                ? 1
                : s.spec.updateConfig.parallelism;
        long allowed = parallelism == 0 ? dirty.size() : Math.max(0, parallelism - inFlight);
        for (List<Task> slot : dirty) {
            if (allowed-- <= 0) {
                break;
            }
            Task old = slot.get(0);
            slot.forEach(t -> batch.patchTask(t.id, TaskPatch.desired(TaskState.SHUTDOWN.wire())));
            // Made ready, not running: it starts once the old task has stopped (stop-first, Swarm's default order).
            batch.create(Tasks.create(s, old.slotNumber(), s.isGlobal() ? old.nodeId : null, runtime, TaskState.READY));
            inFlight++;
        }
        if (s.previousSpec == null) {
            return;
        }
        String state = updateState;
        // A scale changes no task: only replacing out-of-date tasks makes an update, as in Swarm.
        if (!dirty.isEmpty() && state == null) {
            Service.UpdateStatus u = new Service.UpdateStatus();
            u.state = "updating";
            u.startedAt = Ids.now();
            u.message = "update in progress";
            patch(s, u, batch);
        } else if (dirty.isEmpty() && inFlight == 0 && ("updating".equals(state) || "rollback_started".equals(state))) {
            // As Swarm's updater: the update completes once the last new task has run for the monitor period.
            Duration monitor = s.spec.updateConfig == null || s.spec.updateConfig.monitor == null
                    ? Defaults.UPDATE_MONITOR
                    : Duration.ofNanos(s.spec.updateConfig.monitor);
            Duration left = Duration.between(Instant.now(), lastStarted.plus(monitor));
            if (left.isPositive()) {
                wakeIn.accept(left);
                return;
            }
            boolean rollback = "rollback_started".equals(state);
            Service.UpdateStatus u = Json.copy(s.updateStatus);
            u.state = rollback ? "rollback_completed" : "completed";
            u.completedAt = Ids.now();
            u.message = rollback ? "rollback completed" : "update completed";
            patch(s, u, batch);
        }
    }

    private static void patch(Service s, Service.UpdateStatus status, Batch batch) {
        ServicePatch p = new ServicePatch();
        p.updateStatus = status;
        batch.patchService(s.id, p);
    }
}
