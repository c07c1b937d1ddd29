package io.skep.core.orchestrator;

import io.skep.core.allocator.Allocator;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.scheduler.Scheduler;
import io.skep.core.scheduler.Strategies;
import io.skep.core.store.Batch;
import io.skep.core.store.TaskPatch;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerStrategy;
import io.skep.spi.scheduler.TaskMove;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The rebalancer asks the service's strategy what "even" is ({@link SchedulerStrategy#nextMove}): a strategy of its
 * own idea gets its moves, and the image's spread keeps its rule.
 */
class RebalanceStrategyTest {

    /** Every task on the first node by ID with room; a move brings a task there from any other node. */
    static final class FirstFit implements SchedulerStrategy {
        @Override
        public String name() {
            return "first-fit";
        }

        @Override
        public int weight() {
            return -1;
        }

        @Override
        public boolean appliesTo(PlacementRequest request) {
            return true;
        }

        private static Optional<NodeCandidate> first(List<NodeCandidate> nodes) {
            return nodes.stream().filter(n -> n.capacity() > 0).min(Comparator.comparing(NodeCandidate::nodeId));
        }

        @Override
        public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
            List<String> placed = new ArrayList<>();
            for (NodeCandidate c : candidates.stream().sorted(Comparator.comparing(NodeCandidate::nodeId)).toList()) {
                for (int i = 0; i < c.capacity() && placed.size() < request.taskCount(); i++) {
                    placed.add(c.nodeId());
                }
            }
            return placed;
        }

        @Override
        public Optional<TaskMove> nextMove(PlacementRequest request, List<NodeCandidate> nodes) {
            return first(nodes).flatMap(target -> nodes.stream()
                    .filter(n -> n.serviceTasks() > 0 && n.nodeId().compareTo(target.nodeId()) > 0)
                    .map(n -> new TaskMove(n.nodeId(), target.nodeId())).findFirst());
        }
    }

    private final InMemoryStore store = new InMemoryStore();
    private final Strategies strategies = new Strategies(imageStrategiesAnd(new FirstFit()));
    private final ReplicatedOrchestrator orchestrator =
            store.watchedBy(new ReplicatedOrchestrator(store, new RestartSupervisor(), strategies));
    private final Allocator allocator = new Allocator(store);
    private final Scheduler scheduler = new Scheduler(store, strategies, List.of());

    private static List<SchedulerStrategy> imageStrategiesAnd(SchedulerStrategy vendor) {
        List<SchedulerStrategy> all = new ArrayList<>(
                ServiceLoader.load(SchedulerStrategy.class).stream().map(ServiceLoader.Provider::get).toList());
        all.add(vendor);
        return all;
    }

    private Service service(String name, long replicas, String strategy) {
        Service s = Fixtures.replicatedService(replicas);
        s.spec.name = name;
        s.spec.labels = new HashMap<>(Map.of(ServiceSpec.RUNTIME_LABEL, "process",
                ServiceSpec.REBALANCE_LABEL, ServiceSpec.REBALANCE_AUTO));
        if (strategy != null) {
            s.spec.labels.put(SchedulerStrategy.SERVICE_LABEL, strategy);
        }
        s.digestTemplate();
        store.commit(new Batch().create(s));
        return s;
    }

    private void join(Node... nodes) {
        Batch b = new Batch();
        for (Node n : nodes) {
            b.create(n);
        }
        store.commit(b);
    }

    /** Rounds of the orchestrator, the scheduler and the agents (run what is assigned, stop what is shut down). */
    private void settle() throws Exception {
        for (int i = 0; i < 30; i++) {
            orchestrator.passNow();
            allocator.passNow();
            scheduler.passNow();
            Batch b = new Batch();
            for (Task t : store.memory().tasks()) {
                if (t.desired() == TaskState.RUNNING && t.state() == TaskState.ASSIGNED) {
                    b.patchTask(t.id, TaskPatch.status(Fixtures.status(TaskState.RUNNING)));
                } else if (t.desired() != null && t.desired().isAfter(TaskState.RUNNING) && t.state() != null
                        && !t.state().isTerminal() && t.nodeId != null) {
                    b.patchTask(t.id, TaskPatch.status(Fixtures.status(TaskState.SHUTDOWN)));
                }
            }
            store.commit(b);
        }
    }

    private Map<String, Long> perNode(Service s) {
        return store.memory().tasksOfService(s.id).stream()
                .filter(t -> t.isWanted() && t.state() == TaskState.RUNNING)
                .collect(Collectors.groupingBy(t -> t.nodeId, TreeMap::new, Collectors.counting()));
    }

    @Test
    void eachServiceIsRebalancedToWhatItsOwnStrategyAimsAt() throws Exception {
        join(Fixtures.node("n2"));
        Service packed = service("packed", 3, "first-fit");
        Service spread = service("spread", 4, null);
        settle();
        assertEquals(Map.of("n2", 3L), perNode(packed));
        assertEquals(Map.of("n2", 4L), perNode(spread));

        join(Fixtures.node("n1"));
        settle();
        assertEquals(Map.of("n1", 3L), perNode(packed), "first-fit's idea: all on the first node by ID");
        assertEquals(Map.of("n1", 2L, "n2", 2L), perNode(spread), "the spread's: even");
    }
}
