package io.skep.core.agent;

import io.skep.api.model.Node;
import io.skep.api.model.Task;
import io.skep.core.dispatcher.AgentSession;
import io.skep.core.dispatcher.DispatcherApi;
import io.skep.core.dispatcher.NodeAssignments;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskRuntime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of a node: registers with the dispatcher, runs the tasks assigned to this node through
 * the task runtimes, and reports their status. On start it first asks each runtime for the tasks it
 * started before the node restarted, and adopts those still assigned instead of starting them again.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final String nodeId;
    private final Node.Description description;
    private final Map<String, TaskRuntime> runtimes;
    private final String defaultRuntime;
    private final DispatcherApi dispatcher;
    private final TaskNetworks networks;
    /** Serialises assignment handling. */
    private final ExecutorService events = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("skep-agent").factory());

    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("skep-agent-heartbeat").factory());
    private final Map<String, TaskController> controllers = new HashMap<>();
    private final Map<String, TaskHandle> recovered = new HashMap<>();
    private boolean firstAssignments = true;
    private volatile AgentSession session;

    /**
     * @param runtimes       the runtimes opened on this node, by name
     * @param defaultRuntime the runtime for tasks whose service names none
     * @param network        the node's network driver and service address, or why it has none
     */
    public Agent(
            String nodeId,
            Node.Description description,
            Map<String, TaskRuntime> runtimes,
            String defaultRuntime,
            DispatcherApi dispatcher,
            NodeNetwork network) {
        this.nodeId = nodeId;
        this.networks = network.driver() == null
                ? TaskNetworks.none(network.unavailable())
                : new TaskNetworks(network.driver(), null, network.serviceAddress());
        this.description = description;
        this.runtimes = Map.copyOf(runtimes);
        this.defaultRuntime = defaultRuntime;
        this.dispatcher = dispatcher;
    }

    public void start() {
        for (TaskRuntime runtime : runtimes.values()) {
            for (TaskHandle h : runtime.recover()) {
                recovered.put(h.taskId(), h);
            }
        }
        if (!recovered.isEmpty()) {
            LOG.info("found {} tasks from before the restart", recovered.size());
        }
        // Registered on the assignment thread: the dispatcher may push the first assignments before register()
        // returns; they queue behind the registration, and so find the session set.
        try {
            events.submit(() -> {
                        session = dispatcher.register(
                                nodeId, description, assigned -> events.execute(() -> assign(assigned)));
                    })
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering with the dispatcher", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r
                    ? r
                    : new IllegalStateException("cannot register with the dispatcher: " + e.getCause(), e.getCause());
        }
        scheduleHeartbeat();
    }

    /** The next heartbeat, one period from now: the period is the swarm's, and may change. */
    private void scheduleHeartbeat() {
        try {
            heartbeats.schedule(
                    () -> {
                        try {
                            session.heartbeat();
                        } finally {
                            scheduleHeartbeat();
                        }
                    },
                    dispatcher.heartbeatPeriod().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the agent is closing
        }
    }

    /**
     * Takes the node's full task set: programs the networks' peer tables, starts new tasks, updates known ones,
     * removes those gone.
     */
    private void assign(NodeAssignments assigned) {
        List<Task> tasks = assigned.tasks();
        networks.update(tasks, assigned.networks());
        Set<String> seen = new HashSet<>();
        for (Task t : tasks) {
            seen.add(t.id);
            TaskController controller = controllers.get(t.id);
            if (controller != null) {
                controller.update(t);
                continue;
            }
            String name = t.runtime != null ? t.runtime : defaultRuntime;
            TaskRuntime runtime = name == null ? null : runtimes.get(name);
            String error = runtime != null
                    ? null
                    : "runtime \"" + name + "\" is not available on this node (it has: "
                            + (runtimes.isEmpty() ? "none" : String.join(", ", runtimes.keySet())) + ")";
            controller = new TaskController(
                    nodeId, t, runtime, error, recovered.remove(t.id), networks, session::updateTaskStatus);
            controllers.put(t.id, controller);
            controller.start();
        }
        controllers.keySet().removeIf(id -> {
            if (!seen.contains(id)) {
                controllers.get(id).remove();
                return true;
            }
            return false;
        });
        if (firstAssignments) {
            firstAssignments = false;
            // Tasks left from before the restart that the managers no longer assign: stop and forget them.
            recovered.forEach((id, handle) -> Thread.ofVirtual().start(() -> {
                LOG.info("stopping task {}: it is no longer assigned to this node", id);
                handle.shutdown(null, java.time.Duration.ofSeconds(10));
                handle.remove();
            }));
            recovered.clear();
        }
    }

    /**
     * The node leaves the swarm: every task is stopped (its stop signal, then its grace period) and removed, within
     * {@code timeout}; then the agent stops. Unlike {@link #close()}, nothing is left for a restart to adopt, and the
     * runtimes stay open for the node's next swarm.
     */
    public void leave(java.time.Duration timeout) {
        heartbeats.shutdownNow();
        List<TaskController> all;
        try {
            all = events.submit(() -> {
                        List<TaskController> list = List.copyOf(controllers.values());
                        list.forEach(TaskController::remove);
                        controllers.clear();
                        return list;
                    })
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            all = List.of();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("cannot stop the tasks of this node: {}", e.getCause().toString());
            all = List.of();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (TaskController c : all) {
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                if (!c.awaitEnd(java.time.Duration.ofMillis(left))) {
                    LOG.warn("a task of this node did not stop within {}", timeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop();
    }

    @Override
    public void close() {
        stop();
        runtimes.values().forEach(TaskRuntime::close);
    }

    /**
     * Stops driving tasks and ends the session, leaving the tasks running and the runtimes open, for another agent
     * of this node to adopt (the node changes role: manager to worker or back).
     */
    public void detach() {
        stop();
    }

    /** Stops driving tasks and ends the session; the runtimes stay open (the node may join a swarm again). */
    private void stop() {
        heartbeats.shutdownNow();
        events.shutdownNow();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        controllers.values().forEach(TaskController::abandon);
        if (session != null) {
            session.close();
        }
        networks.close();
    }
}
