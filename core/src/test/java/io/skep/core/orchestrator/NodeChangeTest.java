package io.skep.core.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.scheduler.Strategies;
import io.skep.core.store.Batch;
import io.skep.core.store.TaskPatch;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Nodes whose labels or availability change under running tasks, pass by pass on the in-memory store: a replicated
 * task whose node stops meeting its constraints is moved (swarmkit's constraint enforcer); a global service follows
 * its nodes' labels and availability.
 */
class NodeChangeTest {

    private final InMemoryStore store = new InMemoryStore();
    private final ReplicatedOrchestrator replicated =
            store.watchedBy(new ReplicatedOrchestrator(store, new RestartSupervisor(), new Strategies(List.of())));
    private final GlobalOrchestrator global = new GlobalOrchestrator(store, new RestartSupervisor());

    private Service create(Service s, String... constraints) {
        s.spec.taskTemplate.placement = new TaskSpec.Placement();
        s.spec.taskTemplate.placement.constraints = List.of(constraints);
        s.digestTemplate();
        store.commit(new Batch().create(s));
        return s;
    }

    private void changeNode(String id, Consumer<Node> change) {
        Node n = Json.copy(store.memory().<Node>get(Kind.NODE, id));
        change.accept(n);
        store.commit(new Batch().update(n));
    }

    /** The scheduler's and agents' part, by hand: each unplaced wanted task goes to {@code nodeId} and runs. */
    private void placeAndRun(String serviceId, String nodeId) {
        Batch batch = new Batch();
        for (Task t : store.memory().tasksOfService(serviceId)) {
            if (t.isWanted() && t.state() != TaskState.RUNNING) {
                TaskPatch p = TaskPatch.status(Fixtures.status(TaskState.RUNNING));
                p.nodeId = t.nodeId == null ? nodeId : null;
                batch.patchTask(t.id, p);
            }
        }
        store.commit(batch);
    }

    private List<Task> wanted(String serviceId) {
        return store.memory().tasksOfService(serviceId).stream()
                .filter(Task::isWanted)
                .toList();
    }

    @Test
    void aTaskWhoseNodeLosesTheLabelItNeedsIsMovedEvenIfItWouldNotBeRestarted() throws Exception {
        store.commit(new Batch().create(Fixtures.node("n1", "disk", "ssd")).create(Fixtures.node("n2", "disk", "ssd")));
        Service s = Fixtures.replicatedService(2);
        s.spec.taskTemplate.restartPolicy = new TaskSpec.RestartPolicy();
        s.spec.taskTemplate.restartPolicy.condition = "none";
        create(s, "node.labels.disk==ssd");
        replicated.reconcile();
        placeAndRun(s.id, "n1");

        changeNode("n1", n -> n.spec.labels = Map.of("disk", "hdd"));
        replicated.reconcile();
        List<Task> wanted = wanted(s.id);
        assertEquals(2, wanted.size(), "still 2 wanted");
        assertTrue(wanted.stream().allMatch(t -> t.nodeId == null), "both replacements wait for the scheduler");
        assertTrue(
                store.memory().tasksOfService(s.id).stream()
                        .filter(t -> "n1".equals(t.nodeId))
                        .allMatch(t -> t.desired() == TaskState.SHUTDOWN),
                "the misplaced tasks are stopped");

        placeAndRun(s.id, "n2");
        replicated.reconcile();
        assertEquals(4, store.memory().tasksOfService(s.id).size(), "a task that meets its constraints stays");
    }

    @Test
    void aGlobalServiceFollowsLabelsAndAvailability() throws Exception {
        store.commit(new Batch()
                .create(Fixtures.node("n1", "gpu", "yes"))
                .create(Fixtures.node("n2"))
                .create(Fixtures.node("n3", "gpu", "yes")));
        Service s = Fixtures.replicatedService(0);
        s.spec.mode = new ServiceSpec.ServiceMode();
        s.spec.mode.global = new ServiceSpec.Global();
        create(s, "node.labels.gpu==yes");
        global.reconcile();
        assertEquals(List.of("n1", "n3"), nodesOf(wanted(s.id)), "only the labelled nodes");

        changeNode("n2", n -> n.spec.labels = Map.of("gpu", "yes"));
        global.reconcile();
        assertEquals(List.of("n1", "n2", "n3"), nodesOf(wanted(s.id)), "a node labelled later gets its task");

        changeNode("n1", n -> n.spec.labels = Map.of());
        global.reconcile();
        assertEquals(List.of("n2", "n3"), nodesOf(wanted(s.id)), "a node unlabelled loses it");

        changeNode("n2", n -> n.spec.availability = "pause");
        changeNode("n3", n -> n.spec.availability = "drain");
        global.reconcile();
        assertEquals(List.of("n2"), nodesOf(wanted(s.id)), "a paused node keeps its task, a drained one does not");

        Node n4 = Fixtures.node("n4", "gpu", "yes");
        n4.spec.availability = "pause";
        store.commit(new Batch().create(n4));
        global.reconcile();
        assertEquals(List.of("n2"), nodesOf(wanted(s.id)), "a paused node takes no new task");

        changeNode("n4", n -> n.spec.availability = "active");
        global.reconcile();
        assertEquals(List.of("n2", "n4"), nodesOf(wanted(s.id)), "until it is active again");
    }

    private static List<String> nodesOf(List<Task> tasks) {
        return tasks.stream().map(t -> t.nodeId).sorted().toList();
    }
}
