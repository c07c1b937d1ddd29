package io.skep.core.testing;

import io.skep.api.model.Ids;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.orchestrator.Tasks;
import io.skep.core.store.Batch;
import io.skep.core.store.TaskPatch;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Store objects for tests of the reconcilers, and the parts around the reconciler under test (nodes, agents, strategies). */
public final class Fixtures {
    private Fixtures() {}

    /** A task status of {@code state}, as an agent reports it now. */
    public static Task.TaskStatus status(TaskState state) {
        Task.TaskStatus s = new Task.TaskStatus();
        s.state = state.wire();
        s.timestamp = Ids.now();
        return s;
    }

    /**
     * A ready, active worker of 2 CPUs and 4 GiB that runs the process runtime, with these node labels
     * ({@code "az", "1", ...}).
     */
    public static Node node(String id, String... labels) {
        Node n = new Node();
        n.id = id;
        n.createdAt = Ids.now();
        n.spec.role = "worker";
        n.spec.availability = "active";
        n.spec.labels = new HashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            n.spec.labels.put(labels[i], labels[i + 1]);
        }
        n.status.state = "ready";
        n.description.hostname = id;
        n.description.resources = new Node.Resources();
        n.description.resources.nanoCPUs = 2_000_000_000L;
        n.description.resources.memoryBytes = 4L << 30;
        n.description.engine = new Node.Engine();
        n.description.engine.plugins = List.of(new Node.PluginDescription(Node.RUNTIME_PLUGIN_TYPE, "process"));
        return n;
    }

    /**
     * A replicated service "web" of image app:v1, spec version 1. A test that changes its spec calls
     * {@link Service#digestTemplate()} again.
     */
    public static Service replicatedService(long replicas) {
        Service s = new Service();
        s.id = Ids.newId();
        s.spec = new ServiceSpec();
        s.spec.name = "web";
        s.spec.mode = new ServiceSpec.ServiceMode();
        s.spec.mode.replicated = new ServiceSpec.Replicated();
        s.spec.mode.replicated.replicas = replicas;
        s.spec.taskTemplate = new TaskSpec();
        s.spec.taskTemplate.containerSpec = new TaskSpec.ContainerSpec();
        s.spec.taskTemplate.containerSpec.image = "app:v1";
        s.specVersion = 1L;
        s.digestTemplate();
        return s;
    }

    /** The scheduler strategies of the image's modules (the built-in ones on the test's module path). */
    public static List<SchedulerStrategy> imageStrategies() {
        return ServiceLoader.load(SchedulerStrategy.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
    }

    /** The image's strategies and {@code vendor}. */
    public static List<SchedulerStrategy> imageStrategiesAnd(SchedulerStrategy vendor) {
        List<SchedulerStrategy> all = new ArrayList<>(imageStrategies());
        all.add(vendor);
        return all;
    }

    /** The nodes join the swarm: one commit. */
    public static void join(InMemoryStore store, Node... nodes) {
        Batch b = new Batch();
        for (Node n : nodes) {
            b.create(n);
        }
        store.commit(b);
    }

    /**
     * The agents' part of a round, done by hand: what is assigned to run runs, what is wanted shut down stops.
     */
    public static void agentsAct(InMemoryStore store) {
        Batch b = new Batch();
        for (Task t : store.memory().tasks()) {
            if (t.desired() == TaskState.RUNNING && t.state() == TaskState.ASSIGNED) {
                b.patchTask(t.id, TaskPatch.status(status(TaskState.RUNNING)));
            } else if (t.desired() != null
                    && t.desired().isAfter(TaskState.RUNNING)
                    && t.state() != null
                    && !t.state().isTerminal()
                    && t.nodeId != null) {
                b.patchTask(t.id, TaskPatch.status(status(TaskState.SHUTDOWN)));
            }
        }
        store.commit(b);
    }

    /** Running tasks of the service per node (nodes without any left out). */
    public static Map<String, Long> runningPerNode(InMemoryStore store, Service s) {
        return store.memory().tasksOfService(s.id).stream()
                .filter(t -> t.isWanted() && t.state() == TaskState.RUNNING)
                .collect(Collectors.groupingBy(t -> t.nodeId, TreeMap::new, Collectors.counting()));
    }

    /**
     * A replicated service named {@code name} on the process runtime, changed by {@code change}, committed with its
     * {@code replicas} tasks pending (as the allocator leaves them for the scheduler).
     */
    public static Service pendingService(InMemoryStore store, String name, long replicas, Consumer<Service> change) {
        Service s = replicatedService(replicas);
        s.spec.name = name;
        s.spec.labels = new HashMap<>(Map.of(ServiceSpec.RUNTIME_LABEL, "process"));
        change.accept(s);
        s.digestTemplate();
        Batch b = new Batch().create(s);
        for (long slot = 1; slot <= replicas; slot++) {
            Task t = Tasks.create(s, slot, null, "process", TaskState.RUNNING);
            t.status = status(TaskState.PENDING);
            b.create(t);
        }
        store.commit(b);
        return s;
    }
}
