package io.skep.core.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.scheduler.Strategies;
import io.skep.core.store.Batch;
import io.skep.core.store.TaskPatch;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replicated orchestrator and nodes that go down, come back, or are drained, pass by pass on the in-memory
 * store (placement, the scheduler's part, is done by hand here).
 */
class LostNodeTest {

    private final InMemoryStore store = new InMemoryStore();
    private final ReplicatedOrchestrator orchestrator =
            store.watchedBy(new ReplicatedOrchestrator(store, new RestartSupervisor(), new Strategies(List.of())));

    private static Node node(String id) {
        Node n = new Node();
        n.id = id;
        n.createdAt = Ids.now();
        n.spec.role = "worker";
        n.spec.availability = "active";
        n.status.state = "ready";
        return n;
    }

    private static Service service(long replicas, String restartCondition) {
        Service s = Fixtures.replicatedService(replicas);
        s.spec.taskTemplate.restartPolicy = new TaskSpec.RestartPolicy();
        s.spec.taskTemplate.restartPolicy.condition = restartCondition;
        s.spec.taskTemplate.restartPolicy.delay = 0L;
        s.digestTemplate();
        return s;
    }

    /** Places every unplaced wanted task: the first {@code firstOnN1} on n1, the rest on n2; all run. */
    private void place(String serviceId, int firstOnN1) {
        Batch batch = new Batch();
        int i = 0;
        for (Task t : store.memory().tasksOfService(serviceId)) {
            if (t.isWanted() && t.nodeId == null) {
                TaskPatch p = TaskPatch.status(Fixtures.status(TaskState.RUNNING));
                p.nodeId = i++ < firstOnN1 ? "n1" : "n2";
                batch.patchTask(t.id, p);
            }
        }
        store.commit(batch);
    }

    private void setNode(String id, String state, String availability) {
        Node n = Json.copy(store.memory().<Node>get(Kind.NODE, id));
        n.status.state = state;
        n.spec.availability = availability;
        store.commit(new Batch().update(n));
    }

    private List<Task> wanted(String serviceId) {
        return store.memory().tasksOfService(serviceId).stream()
                .filter(Task::isWanted)
                .toList();
    }

    @Test
    void theTasksOfADownNodeAreReplacedAndStayShutDownWhenItReturns() throws Exception {
        store.commit(new Batch().create(node("n1")).create(node("n2")));
        Service s = service(4, "any");
        store.commit(new Batch().create(s));
        orchestrator.reconcile();
        place(s.id, 2);

        setNode("n2", "down", "active");
        orchestrator.reconcile();
        List<Task> wanted = wanted(s.id);
        assertEquals(4, wanted.size(), "still 4 replicas wanted");
        assertEquals(2, wanted.stream().filter(t -> "n1".equals(t.nodeId)).count());
        assertEquals(2, wanted.stream().filter(t -> t.nodeId == null).count(), "two replacements, to be placed");
        assertTrue(
                store.memory().tasksOfService(s.id).stream()
                        .filter(t -> "n2".equals(t.nodeId))
                        .allMatch(t -> t.desired() == TaskState.SHUTDOWN),
                "the lost tasks are wanted shut down");

        place(s.id, 2); // the scheduler puts them on n1, the only node left
        setNode("n2", "ready", "active");
        orchestrator.reconcile();
        assertEquals(4, wanted(s.id).size(), "once n2 is back, still 4: its old tasks stay shut down");
        assertEquals(6, store.memory().tasksOfService(s.id).size(), "and no task was made for its return");
    }

    @Test
    void drainingANodeMovesItsTasksAway() throws Exception {
        store.commit(new Batch().create(node("n1")).create(node("n2")));
        Service s = service(4, "any");
        store.commit(new Batch().create(s));
        orchestrator.reconcile();
        place(s.id, 2);

        setNode("n1", "ready", "drain");
        orchestrator.reconcile();
        assertEquals(0, wanted(s.id).stream().filter(t -> "n1".equals(t.nodeId)).count(), "nothing wanted on n1");
        assertEquals(4, wanted(s.id).size());
    }

    @Test
    void aTaskThatMustNotRestartIsNotReplaced() throws Exception {
        store.commit(new Batch().create(node("n1")).create(node("n2")));
        Service s = service(2, "none");
        store.commit(new Batch().create(s));
        orchestrator.reconcile();
        place(s.id, 1);

        setNode("n2", "down", "active");
        orchestrator.reconcile();
        assertEquals(1, wanted(s.id).size(), "restart condition none: the lost task is not replaced");
    }

    /**
     * Two tasks wanted running in one slot (an old leader's late write on top of the new leader's): the one further
     * along is kept, the other shut down, and the service runs its count.
     */
    @Test
    void aSlotWithTwoTasksWantedRunningKeepsTheOneFurtherAlong() throws Exception {
        store.commit(new Batch().create(node("n1")).create(node("n2")));
        Service s = service(1, "any");
        store.commit(new Batch().create(s));
        orchestrator.passNow();
        place(s.id, 1);
        Task first = wanted(s.id).get(0);
        Task late = Tasks.create(s, first.slotNumber(), null, s.runtime(), TaskState.RUNNING);
        store.commit(new Batch().create(late));

        orchestrator.passNow();
        List<Task> left = wanted(s.id);
        assertEquals(List.of(first.id), left.stream().map(t -> t.id).toList(), "the running task stays, alone");
        assertEquals(
                TaskState.SHUTDOWN, store.memory().<Task>get(Kind.TASK, late.id).desired());
    }
}
