package io.skep.core.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.orchestrator.Tasks;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.MemoryStore;
import io.skep.core.store.NoQuorumException;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A node registers once per session and reports a task's status once per change: a report the store could not take (no quorum for a moment, as
 * while a paused leader comes back) is written on a later pass, never dropped, and newer status for the task wins.
 */
class StatusReportTest {
    private final InMemoryStore memory = new InMemoryStore();
    private final AtomicBoolean quorum = new AtomicBoolean(true);
    /** The store, but refusing every write while {@link #quorum} is off, as the Raft store does. */
    private final StoreWriter store = new StoreWriter() {
        @Override
        public MemoryStore memory() {
            return memory.memory();
        }

        @Override
        public CommitResult commit(Batch batch) throws IOException {
            if (!quorum.get() && !batch.isEmpty()) {
                throw new NoQuorumException();
            }
            return memory.commit(batch);
        }
    };

    private TaskState state(String taskId) {
        return memory.memory().<Task>get(Kind.TASK, taskId).state();
    }

    @Test
    void statusTheStoreRefusedIsWrittenOnTheNextPassAndNewerStatusWins() throws Exception {
        Service service = Fixtures.replicatedService(1);
        Task task = Tasks.create(service, 1, "n1", "process", TaskState.RUNNING);
        task.status = Fixtures.status(TaskState.ASSIGNED);
        Fixtures.join(memory, Fixtures.node("n1"));
        memory.commit(new Batch().create(service).create(task));
        long[] now = {0};
        try (Dispatcher dispatcher = new Dispatcher(store, () -> now[0])) {
            AgentSession session = dispatcher.register("n1", new Node.Description(), assigned -> {});
            dispatcher.passNow();

            quorum.set(false);
            session.updateTaskStatus(task.id, Fixtures.status(TaskState.STARTING));
            assertThrows(NoQuorumException.class, dispatcher::passNow);
            session.updateTaskStatus(task.id, Fixtures.status(TaskState.RUNNING));
            assertThrows(NoQuorumException.class, dispatcher::passNow);
            assertEquals(TaskState.ASSIGNED, state(task.id), "nothing written without a quorum");

            quorum.set(true);
            dispatcher.passNow();
            assertEquals(
                    TaskState.RUNNING,
                    state(task.id),
                    "the refused report is written once the store takes writes, the newest one");
        }
    }

    @Test
    void aRegistrationTheStoreRefusedOpensTheSessionAndIsWrittenOnTheNextPass() throws Exception {
        Node joined = Fixtures.node("n1");
        joined.status.state = "down";
        Fixtures.join(memory, joined);
        Node.Description description = new Node.Description();
        description.hostname = "worker-1";
        long[] now = {0};
        try (Dispatcher dispatcher = new Dispatcher(store, () -> now[0])) {
            quorum.set(false);
            AgentSession session = dispatcher.register("n1", description, assigned -> {});
            assertEquals("down", node().status.state, "nothing written without a quorum");

            quorum.set(true);
            dispatcher.passNow();
            assertEquals("ready", node().status.state, "the node is ready once the store takes writes");
            assertEquals("worker-1", node().description.hostname);
            session.close();
        }
    }

    private Node node() {
        return memory.memory().get(Kind.NODE, "n1");
    }
}
