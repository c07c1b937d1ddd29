package io.skep.core.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.orchestrator.Tasks;
import io.skep.core.store.Batch;
import io.skep.core.store.TaskPatch;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher sends every node on a network the same view object, resends nothing while the network is unchanged,
 * and a change from one view to the next is worked out once for all the nodes (what keeps a thousand-node network's
 * fan-out linear in its size).
 */
class NetworkViewsTest {
    private final InMemoryStore memory = new InMemoryStore();
    private final Map<String, List<NodeAssignments>> received = new ConcurrentHashMap<>();

    private static Task onNetwork(Service service, int slot, String nodeId) {
        Task t = Tasks.create(service, slot, nodeId, "process", TaskState.RUNNING);
        t.status = Fixtures.status(TaskState.RUNNING);
        Task.NetworkAttachment a = new Task.NetworkAttachment();
        a.network = new Task.AttachedNetwork();
        a.network.id = "net1";
        a.addresses = List.of("198.18.0." + (slot + 1) + "/24");
        t.networksAttachments = List.of(a);
        return t;
    }

    private NodeAssignments last(String nodeId) {
        return received.get(nodeId).getLast();
    }

    @Test
    void everyNodeOnANetworkGetsOneViewAndOnlyWhenItChanged() throws Exception {
        Service service = Fixtures.replicatedService(3);
        TaskSpec.NetworkAttachmentConfig config = new TaskSpec.NetworkAttachmentConfig();
        config.target = "net1";
        service.spec.taskTemplate.networks = List.of(config);
        List<Task> tasks = new ArrayList<>();
        Batch batch = new Batch().create(service);
        for (int i = 1; i <= 3; i++) {
            Node n = Fixtures.node("n" + i);
            n.status.addr = "192.0.2." + i;
            Fixtures.join(memory, n);
            Task t = onNetwork(service, i, "n" + i);
            tasks.add(t);
            batch.create(t);
        }
        memory.commit(batch);
        try (Dispatcher dispatcher = new Dispatcher(memory)) {
            for (String node : List.of("n1", "n2", "n3")) {
                dispatcher.register(
                        node,
                        new Node.Description(),
                        a -> received.computeIfAbsent(node, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(a));
            }
            dispatcher.passNow();
            NetworkView view = last("n1").networks().getFirst();
            assertSame(view, last("n2").networks().getFirst(), "one view object for every node on the network");
            assertSame(view, last("n3").networks().getFirst());
            assertEquals(
                    List.of("192.0.2.1", "192.0.2.2", "192.0.2.3"),
                    view.peers().stream().map(NetworkView.Peer::node).sorted().toList(),
                    "every endpoint, the node's own included (it skips its own tasks)");
            assertEquals(3, view.services().getFirst().tasks().size());
            int sent = received.get("n1").size();

            dispatcher.passNow();
            assertEquals(sent, received.get("n1").size(), "nothing changed: nothing sent");

            memory.commit(new Batch().patchTask(tasks.get(2).id, TaskPatch.status(Fixtures.status(TaskState.FAILED))));
            dispatcher.passNow();
            NetworkView next = last("n1").networks().getFirst();
            assertNotSame(view, next);
            assertSame(next, last("n2").networks().getFirst());
            assertEquals(2, next.peers().size());

            ViewChanges forN1 = ViewChanges.between(1, List.of(view), List.of(next));
            ViewChanges forN2 = ViewChanges.between(1, List.of(view), List.of(next));
            assertSame(
                    forN1.networks().getFirst(),
                    forN2.networks().getFirst(),
                    "the change is worked out once for all the nodes");
            assertEquals(List.of(tasks.get(2).id), forN1.networks().getFirst().peersGone());
            assertEquals(
                    List.of(tasks.get(2).id),
                    forN1.networks().getFirst().services().getFirst().tasksGone());
        }
    }
}
