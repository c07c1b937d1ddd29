package io.skep.core.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.scheduler.Strategies;
import io.skep.core.store.Batch;
import io.skep.core.store.TaskPatch;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replicated orchestrator's rolling update, pass by pass, on the in-memory store (the Raft log under it is
 * exercised elsewhere): how many slots it replaces at a time.
 */
class RollingUpdateTest {

    private final InMemoryStore store = new InMemoryStore();
    private final ReplicatedOrchestrator orchestrator =
            store.watchedBy(new ReplicatedOrchestrator(store, new RestartSupervisor(), new Strategies(List.of())));

    private static Service service(long replicas, long parallelism, String image) {
        Service s = Fixtures.replicatedService(replicas);
        s.spec.updateConfig = new ServiceSpec.UpdateConfig();
        s.spec.updateConfig.parallelism = parallelism;
        s.spec.taskTemplate.containerSpec.image = image;
        s.digestTemplate();
        return s;
    }

    /** Reports every task of the service that the orchestrator wants running as running (the agents' part). */
    private void allWantedRun(String serviceId) throws Exception {
        Batch batch = new Batch();
        for (Task t : store.memory().tasksOfService(serviceId)) {
            if (t.desired() == TaskState.RUNNING && t.state() != TaskState.RUNNING) {
                batch.patchTask(t.id, TaskPatch.status(Fixtures.status(TaskState.RUNNING)));
            }
        }
        store.commit(batch);
    }

    private List<Task> newTasks(Service s) {
        Service current = store.memory().get(Kind.SERVICE, s.id);
        return store.memory().tasksOfService(s.id).stream()
                .filter(t -> Tasks.upToDate(t, current) && t.isWanted())
                .toList();
    }

    @Test
    void aRollingUpdateKeepsParallelismSlotsInFlight() throws Exception {
        Service s = service(6, 2, "app:v1");
        store.commit(new Batch().create(s));
        orchestrator.reconcile();
        allWantedRun(s.id);
        assertEquals(6, store.memory().tasksOfService(s.id).size());

        Service next = Json.copy(store.memory().<Service>get(Kind.SERVICE, s.id));
        next.previousSpec = Json.copy(next.spec);
        next.spec.taskTemplate.containerSpec.image = "app:v2";
        next.specVersion = 2L;
        next.digestTemplate();
        store.commit(new Batch().update(next));

        orchestrator.reconcile();
        assertEquals(2, newTasks(s).size(), "parallelism 2: two slots replaced at first");

        // The old tasks of those two slots stop; one replacement runs: one more slot may start updating.
        Batch stopped = new Batch();
        for (Task t : store.memory().tasksOfService(s.id)) {
            if (t.desired() == TaskState.SHUTDOWN && t.state() == TaskState.RUNNING) {
                stopped.patchTask(t.id, TaskPatch.status(Fixtures.status(TaskState.SHUTDOWN)));
            }
        }
        store.commit(stopped);
        orchestrator.reconcile(); // promotes the two replacements to desired running
        Task first = newTasks(s).getFirst();
        store.commit(new Batch().patchTask(first.id, TaskPatch.status(Fixtures.status(TaskState.RUNNING))));

        orchestrator.reconcile();
        assertEquals(3, newTasks(s).size(), "one replacement runs, one is in flight: a third slot is replaced");
    }
}
