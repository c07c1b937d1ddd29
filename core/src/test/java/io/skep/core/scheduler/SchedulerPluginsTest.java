package io.skep.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.testing.FirstFitStrategy;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.Resources;
import io.skep.spi.scheduler.SchedulerFilter;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The scheduler with vendors' plugins beside the image's strategies: filters after the core's own, and the pending
 * message they make; the resources candidates carry; a strategy chosen by the service's label; strategies told of
 * one another.
 */
class SchedulerPluginsTest {

    /** Refuses nodes labelled {@code rack=bad}, for services that do not carry {@code ignore-racks}. */
    static final class BadRackFilter implements SchedulerFilter {
        final List<String> asked = new ArrayList<>();

        @Override
        public String name() {
            return "bad-rack";
        }

        @Override
        public boolean appliesTo(PlacementRequest request) {
            return !request.serviceLabels().containsKey("ignore-racks");
        }

        @Override
        public boolean accepts(PlacementRequest request, NodeCandidate node) {
            asked.add(node.nodeId());
            return !"bad".equals(node.attribute("node.labels.rack"));
        }

        @Override
        public String explanation() {
            return "rack labelled bad";
        }
    }

    private final InMemoryStore store = new InMemoryStore();
    private final BadRackFilter filter = new BadRackFilter();
    private final FirstFitStrategy firstFit = new FirstFitStrategy();
    private final Strategies strategies = new Strategies(Fixtures.imageStrategiesAnd(firstFit));
    private final Scheduler scheduler = new Scheduler(store, strategies, List.of(filter));
    private int services;

    private Service service(long replicas, Consumer<Service> change) {
        return Fixtures.pendingService(store, "web" + (++services), replicas, change); // names are unique in a swarm
    }

    private static void reserve(Service s, long nanoCpus, long memory) {
        s.spec.taskTemplate.resources = new TaskSpec.Resources();
        s.spec.taskTemplate.resources.reservations = new TaskSpec.Reservations();
        s.spec.taskTemplate.resources.reservations.nanoCPUs = nanoCpus;
        s.spec.taskTemplate.resources.reservations.memoryBytes = memory;
    }

    private Map<String, Long> perNode(Service s) {
        return store.memory().tasksOfService(s.id).stream()
                .filter(t -> t.nodeId != null)
                .collect(Collectors.groupingBy(t -> t.nodeId, TreeMap::new, Collectors.counting()));
    }

    private List<String> pendingErrors(Service s) {
        return store.memory().tasksOfService(s.id).stream()
                .filter(t -> t.state() == TaskState.PENDING)
                .map(t -> t.status.err)
                .toList();
    }

    @Test
    void aVendorFilterRunsAfterTheCoresAndItsExplanationJoinsThePendingMessage() throws Exception {
        Node drained = Fixtures.node("n0");
        drained.spec.availability = "drain";
        Fixtures.join(store, drained, Fixtures.node("n1", "rack", "bad"), Fixtures.node("n2", "rack", "bad"));
        Service s = service(2, sv -> {});
        scheduler.reconcile();
        assertEquals(
                List.of(
                        "no suitable node (1 node not available for new tasks; rack labelled bad on 2 nodes)",
                        "no suitable node (1 node not available for new tasks; rack labelled bad on 2 nodes)"),
                pendingErrors(s));
        assertEquals(
                List.of("n1", "n2"),
                filter.asked.stream().sorted().toList(),
                "asked only about the nodes the core's filters let through");

        Service ignoring = service(2, sv -> sv.spec.labels.put("ignore-racks", "yes"));
        scheduler.reconcile();
        assertEquals(Map.of("n1", 1L, "n2", 1L), perNode(ignoring), "a filter that does not apply refuses nothing");
    }

    @Test
    void whenTheRoomRunsOutTheMessageCountsTheCoresAndTheVendorsRefusals() throws Exception {
        Fixtures.join(store, Fixtures.node("n1"), Fixtures.node("n2", "rack", "bad")); // 2 CPUs each
        Service s = service(3, sv -> reserve(sv, 1_000_000_000L, 0));
        scheduler.reconcile();
        assertEquals(Map.of("n1", 2L), perNode(s));
        assertEquals(
                List.of("no suitable node (insufficient resources on 1 node: cpu; rack labelled bad on 1 node)"),
                pendingErrors(s));
    }

    @Test
    void candidatesCarryTheNodesTotalAndWhatTheTasksHoldingAPlaceLeaveFree() throws Exception {
        Fixtures.join(store, Fixtures.node("n1"), Fixtures.node("n2"));
        Service first = service(1, sv -> {
            reserve(sv, 500_000_000L, 1L << 30);
            sv.spec.labels.put(SchedulerStrategy.SERVICE_LABEL, "first-fit");
        });
        scheduler.reconcile();
        assertEquals(Map.of("n1", 1L), perNode(first));

        service(1, sv -> sv.spec.labels.put(SchedulerStrategy.SERVICE_LABEL, "first-fit"));
        scheduler.reconcile();
        Map<String, NodeCandidate> seen =
                firstFit.candidates.stream().collect(Collectors.toMap(NodeCandidate::nodeId, c -> c));
        Resources total = new Resources(2_000_000_000L, 4L << 30);
        assertEquals(total, seen.get("n1").total());
        assertEquals(new Resources(1_500_000_000L, 3L << 30), seen.get("n1").free());
        assertEquals(total, seen.get("n2").total());
        assertEquals(total, seen.get("n2").free());
    }

    @Test
    void theServiceLabelChoosesTheStrategyAndAnUnknownNameKeepsTheTasksPendingSayingSo() throws Exception {
        Fixtures.join(store, Fixtures.node("n1"), Fixtures.node("n2"), Fixtures.node("n3"));
        Service spread = service(3, sv -> {});
        Service packed = service(3, sv -> sv.spec.labels.put(SchedulerStrategy.SERVICE_LABEL, "first-fit"));
        Service unknown = service(2, sv -> sv.spec.labels.put(SchedulerStrategy.SERVICE_LABEL, "tetris"));
        scheduler.reconcile();
        assertEquals(Map.of("n1", 1L, "n2", 1L, "n3", 1L), perNode(spread), "unlabelled: the heaviest, spread");
        assertEquals(Map.of("n1", 3L), perNode(packed));
        assertEquals(
                List.of(
                        "scheduler strategy \"tetris\" named by service label io.skep.scheduler is not installed"
                                + " on this node",
                        "scheduler strategy \"tetris\" named by service label io.skep.scheduler is not"
                                + " installed on this node"),
                pendingErrors(unknown));
    }

    @Test
    void everyStrategyIsToldOfAllTheNodeLoaded() {
        assertEquals(
                List.of("first-fit", "spread", "topology"),
                firstFit.context.strategies().stream()
                        .map(SchedulerStrategy::name)
                        .sorted()
                        .toList());
        assertEquals(
                strategies
                        .choose(new PlacementRequest("svc", 1, List.of()))
                        .strategy()
                        .name(),
                "spread");
    }
}
