package io.skep.core.orchestrator;

import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.scheduler.Strategies;
import io.skep.core.store.Batch;
import io.skep.core.store.TaskPatch;
import io.skep.core.testing.Await;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The replicated orchestrator on its own thread, woken by the store's events and by its timers: a pass that looks
 * only at the services events name must not lose the timer another service asked for (the loop keeps a wake-up
 * time until it comes).
 */
class OrchestratorLoopTest {

    private final InMemoryStore store = new InMemoryStore();
    private final ReplicatedOrchestrator orchestrator = store.watchedBy(
            new ReplicatedOrchestrator(store, new RestartSupervisor(), new Strategies(java.util.List.of())));

    @AfterEach
    void stop() {
        orchestrator.close();
    }

    private Service service(String name, long restartDelayMillis) {
        Service s = Fixtures.replicatedService(1);
        s.spec.name = name;
        s.spec.taskTemplate.restartPolicy = new TaskSpec.RestartPolicy();
        s.spec.taskTemplate.restartPolicy.condition = "any";
        s.spec.taskTemplate.restartPolicy.delay =
                Duration.ofMillis(restartDelayMillis).toNanos();
        s.digestTemplate();
        store.commit(new Batch().create(s));
        return s;
    }

    private Task wanted(Service s) {
        return store.memory().tasksOfService(s.id).stream()
                .filter(Task::isWanted)
                .findFirst()
                .orElse(null);
    }

    private void report(Task t, TaskState state) {
        TaskPatch p = TaskPatch.status(Fixtures.status(state));
        p.nodeId = t.nodeId == null ? "n1" : null;
        store.commit(new Batch().patchTask(t.id, p));
    }

    @Test
    void aRestartDelayEndsEvenWhenOtherServicesKeepTheLoopBusy() throws Exception {
        store.commit(new Batch().create(Fixtures.node("n1")));
        orchestrator.start();
        Service slow = service("slow", 600);
        Service busy = service("busy", 0);
        Await.until(Duration.ofSeconds(10), "a task each", () -> wanted(slow) != null && wanted(busy) != null);
        Task first = wanted(slow);
        report(first, TaskState.RUNNING);
        report(first, TaskState.FAILED);
        Await.until(
                Duration.ofSeconds(10),
                "a replacement waiting out its delay",
                () -> wanted(slow) != null && wanted(slow).desired() == TaskState.READY);
        // Events of another service wake passes that do not look at "slow" before its timer is due.
        report(wanted(busy), TaskState.ASSIGNED);
        report(wanted(busy), TaskState.RUNNING);
        Await.until(
                Duration.ofSeconds(10),
                "the replacement to be started once its delay is over",
                () -> wanted(slow).desired() == TaskState.RUNNING);
    }
}
