package io.skep.core.agent;

import io.skep.api.model.Defaults;
import io.skep.api.model.Ids;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.plugins.RuntimeSpecs;
import io.skep.spi.runtime.NetworkAttachment;
import io.skep.spi.runtime.RuntimeCapability;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskExit;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskRejectedException;
import io.skep.spi.runtime.TaskRuntime;
import io.skep.spi.runtime.TaskRuntimeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one task on this node towards its desired state, as swarmkit's {@code exec.Do} does: accepted,
 * preparing while the runtime prepares it (pulls its image, creates it), ready once prepared, starting when it is
 * started, running once it runs, then complete or failed when it exits; shutdown when the managers
 * ask. Reports each step; never moves a task's state backwards.
 */
final class TaskController {
    private static final Logger LOG = LoggerFactory.getLogger(TaskController.class);

    private final String nodeId;
    private final TaskRuntime runtime;
    private final String runtimeError;
    private final BiConsumer<String, Task.TaskStatus> report;
    private final TaskNetworks networks;
    /** Whether the task's networks are plumbed into its namespace (only the controller's thread reads it). */
    private boolean networksAttached;

    private final Object lock = new Object();
    private Task task;
    private TaskState reported;
    private TaskHandle handle;
    private boolean removed;
    private final Thread thread;

    /**
     * @param runtime      the runtime for the task, or null when this node lacks it ({@code runtimeError} says why)
     * @param adopted      the task's handle recovered from an earlier run of the node, or null
     */
    TaskController(
            String nodeId,
            Task task,
            TaskRuntime runtime,
            String runtimeError,
            TaskHandle adopted,
            TaskNetworks networks,
            BiConsumer<String, Task.TaskStatus> report) {
        this.nodeId = nodeId;
        this.networks = networks;
        this.task = task;
        this.runtime = runtime;
        this.runtimeError = runtimeError;
        this.report = report;
        this.reported = task.state();
        this.handle = adopted;
        this.thread = Thread.ofVirtual().name("task-" + task.id).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /**
     * A newer version of the task from the dispatcher. Only a move of its desired state wakes the controller: the
     * dispatcher sends the node's whole task set on every change, mostly the status this controller reported.
     */
    void update(Task next) {
        synchronized (lock) {
            boolean moved = task.desired() != next.desired();
            task = next;
            if (moved) {
                lock.notifyAll();
            }
        }
    }

    /** The agent is closing: stop driving the task, and leave it as it is (a restart adopts it). */
    void abandon() {
        thread.interrupt();
    }

    /** Waits up to {@code timeout} for the controller to finish (after {@link #remove}); true when it has. */
    boolean awaitEnd(java.time.Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    /** The task left this node's assignments: stop it if it runs, then free what it left. */
    void remove() {
        synchronized (lock) {
            removed = true;
            lock.notifyAll();
        }
    }

    private void run() {
        try {
            drive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("task {} controller failed", task.id, e);
            fail(TaskState.FAILED, "skep agent error: " + e.getMessage(), null);
        }
    }

    private void drive() throws InterruptedException {
        // A task prepared but not started before a node restart: prepare it again, from the start.
        if (handle != null && (reported == null || reported.compareTo(TaskState.STARTING) < 0)) {
            discard(handle);
            handle = null;
        }
        // A task that started before a node restart and has no handle any more cannot be watched: end it.
        if (handle == null
                && reported != null
                && reported.compareTo(TaskState.STARTING) >= 0
                && !reported.isTerminal()) {
            fail(TaskState.FAILED, "task was not found on the node after a restart", null);
        }
        if (handle == null && !isTerminal() && !stopWanted()) {
            if (runtime == null) {
                fail(TaskState.REJECTED, runtimeError, null);
            } else {
                advance(TaskState.ACCEPTED, "accepted");
                prepareAndStart();
            }
        } else if (handle != null && !isTerminal()) {
            // adopted after a restart of the node: the driver takes the endpoints over (every call is idempotent)
            if (!TaskNetworks.attachments(task).isEmpty() && !attachNetworks()) {
                handle.shutdown(null, java.time.Duration.ZERO);
            } else {
                running();
            }
        }
        if (handle != null) {
            // Wait for the task to end, or for the managers to want it stopped.
            waitWhile(() -> !handle.exit().isDone() && !stopWanted() && !removedNow(), handle);
            if (!handle.exit().isDone()) {
                TaskSpec spec = task.spec;
                String signal = spec == null || spec.containerSpec == null ? null : spec.containerSpec.stopSignal;
                handle.shutdown(signal, Defaults.stopGracePeriod(spec));
                if (!isTerminal()) {
                    exited(handle.exit().join(), TaskState.SHUTDOWN);
                }
            } else if (!isTerminal()) {
                exited(handle.exit().join(), null);
            }
        } else if (stopWanted() && !isTerminal()) {
            advance(TaskState.SHUTDOWN, "shutdown");
        }
        waitWhile(() -> !removedNow());
        networks.detach(task);
        if (handle != null) {
            handle.remove();
        }
    }

    /**
     * Prepares the task (reported PREPARING while the runtime pulls and creates), then, once the managers want it
     * running, starts it (STARTING, then RUNNING).
     */
    private void prepareAndStart() throws InterruptedException {
        advance(TaskState.PREPARING, "preparing");
        boolean onNetworks = !TaskNetworks.attachments(task).isEmpty();
        if (onNetworks && !runtime.capabilities().contains(RuntimeCapability.NETWORKS)) {
            failOnceWanted(TaskState.REJECTED, "the task is on networks, which its runtime cannot join");
            return;
        }
        if (onNetworks && networks.unavailable() != null) {
            failOnceWanted(TaskState.REJECTED, "the task is on networks, but " + networks.unavailable());
            return;
        }
        try {
            handle = runtime.prepare(definition(task));
        } catch (TaskRejectedException e) {
            failOnceWanted(TaskState.REJECTED, e.getMessage());
            return;
        } catch (TaskRuntimeException e) {
            failOnceWanted(TaskState.FAILED, "preparing task failed: " + e.getMessage());
            return;
        }
        if (onNetworks && !attachNetworks()) {
            handle.shutdown(null, java.time.Duration.ZERO); // prepared, never to start: ends it
            return;
        }
        advance(TaskState.READY, "prepared");
        waitWhile(() -> desired() == TaskState.READY && !removedNow());
        if (stopWanted() || removedNow()) {
            return; // shut down below, never started
        }
        advance(TaskState.STARTING, "starting");
        try {
            handle.start();
            if (onNetworks && !networksAttached && !attachNetworks()) {
                handle.shutdown(null, java.time.Duration.ZERO);
                return;
            }
            running();
        } catch (TaskRuntimeException e) {
            fail(TaskState.FAILED, "starting task failed: " + e.getMessage(), null);
        }
    }

    /**
     * Reports a task that could not be prepared once the managers want it running. A task prepared ahead (desired
     * READY: a replacement waiting out its restart delay) would otherwise fail at once, and its replacement too: the
     * delay paces the attempts of a task that cannot be prepared as it does those of one that fails when started.
     */
    private void failOnceWanted(TaskState state, String err) throws InterruptedException {
        waitWhile(() -> desired() == TaskState.READY && !removedNow());
        if (stopWanted() || removedNow()) {
            advance(TaskState.SHUTDOWN, "shutdown");
        } else {
            fail(state, err, null);
        }
    }

    /**
     * Plumbs the task's networks into its namespace, once the runtime has made it (at prepare, or with the task at
     * start). Returns false, having reported the task failed, when the network driver could not.
     */
    private boolean attachNetworks() {
        java.util.Optional<java.nio.file.Path> namespace = handle.networkNamespace();
        if (namespace.isEmpty()) {
            return true; // made with the task: attached once it starts
        }
        try {
            networks.attach(task, namespace.get());
            networksAttached = true;
            return true;
        } catch (io.skep.spi.network.NetworkDriverException e) {
            fail(TaskState.FAILED, "attaching the task to its networks failed: " + e.getMessage(), null);
            return false;
        }
    }

    /** Shuts down and removes a recovered task that is not to be adopted. */
    private void discard(TaskHandle stale) {
        try {
            stale.shutdown(null, java.time.Duration.ZERO);
            stale.remove();
        } catch (RuntimeException e) {
            LOG.warn("task {}: cannot remove what an earlier run of the node prepared: {}", task.id, e.toString());
        }
    }

    private void running() {
        Task.TaskStatus s = status(TaskState.RUNNING, "started");
        s.containerStatus = new Task.ContainerStatus();
        s.containerStatus.containerId = handle.runtimeId();
        try {
            s.containerStatus.pid = Long.parseLong(handle.runtimeId());
        } catch (NumberFormatException notAPid) {
            // a container ID, not a process ID
        }
        send(s);
    }

    /** Reports how the task ended; {@code stopped} is SHUTDOWN when the managers asked for the stop. */
    private void exited(TaskExit exit, TaskState stopped) {
        Task.TaskStatus s;
        if (stopped != null) {
            s = status(stopped, "shutdown");
        } else if (exit.succeeded()) {
            s = status(TaskState.COMPLETE, "finished");
        } else {
            s = status(TaskState.FAILED, "started");
            s.err = exit.exitCode() == TaskExit.UNKNOWN
                    ? exit.message()
                    : "task: non-zero exit (" + exit.exitCode() + ")";
        }
        s.containerStatus = new Task.ContainerStatus();
        s.containerStatus.containerId = handle.runtimeId();
        s.containerStatus.exitCode = (long) exit.exitCode();
        send(s);
    }

    private void fail(TaskState state, String err, String message) {
        Task.TaskStatus s = status(state, message == null ? state.wire() : message);
        s.err = err;
        send(s);
    }

    private void advance(TaskState state, String message) {
        if (reported == null || state.isAfter(reported)) {
            send(status(state, message));
        }
    }

    private Task.TaskStatus status(TaskState state, String message) {
        Task.TaskStatus s = new Task.TaskStatus();
        s.state = state.wire();
        s.message = message;
        s.timestamp = Ids.now();
        return s;
    }

    private void send(Task.TaskStatus s) {
        TaskState state = TaskState.fromWire(s.state);
        synchronized (lock) {
            if (reported != null && reported.isAfter(state)) {
                return;
            }
            reported = state;
        }
        report.accept(task.id, s);
    }

    private boolean isTerminal() {
        synchronized (lock) {
            return reported != null && reported.isTerminal();
        }
    }

    private TaskState desired() {
        synchronized (lock) {
            return task.desired();
        }
    }

    private boolean stopWanted() {
        TaskState d = desired();
        return d != null && d.isAfter(TaskState.RUNNING);
    }

    private boolean removedNow() {
        synchronized (lock) {
            return removed;
        }
    }

    private interface Condition {
        boolean holds();
    }

    private void waitWhile(Condition condition) throws InterruptedException {
        waitWhile(condition, null);
    }

    /** Waits on updates from the dispatcher (and the task's exit, when it runs). */
    private void waitWhile(Condition condition, TaskHandle watched) throws InterruptedException {
        if (watched != null) {
            watched.exit().whenComplete((e, t) -> {
                synchronized (lock) {
                    lock.notifyAll();
                }
            });
        }
        synchronized (lock) {
            while (condition.holds()) {
                lock.wait();
            }
        }
    }

    private TaskDefinition definition(Task t) {
        Map<String, String> labels = new HashMap<>();
        if (t.spec.containerSpec.labels != null) {
            labels.putAll(t.spec.containerSpec.labels);
        }
        labels.put("com.docker.swarm.service.id", t.serviceId);
        labels.put("com.docker.swarm.service.name", t.serviceName());
        labels.put("com.docker.swarm.task.id", t.id);
        labels.put("com.docker.swarm.task.name", t.name() + "." + t.id);
        labels.put("com.docker.swarm.node.id", nodeId);
        List<NetworkAttachment> attachments = TaskNetworks.attachments(t);
        return RuntimeSpecs.definition(t.id, t.spec)
                .networks(attachments)
                .dnsServers(attachments.isEmpty() ? List.of() : networks.dnsServers())
                .taskName(t.name() + "." + t.id)
                .service(t.serviceId, t.serviceName())
                .slot((int) t.slotNumber())
                .nodeId(nodeId)
                .labels(labels)
                .build();
    }
}
