package io.skep.core.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.allocator.Allocator;
import io.skep.core.scheduler.Scheduler;
import io.skep.core.scheduler.Strategies;
import io.skep.core.store.Batch;
import io.skep.core.store.ServicePatch;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Rebalancing, pass by pass on the in-memory store with the real orchestrator and scheduler (and the image's
 * strategies) and allocator; the agents' part — run what is assigned, stop what is wanted shut down — is done by hand.
 */
class RebalanceTest {

    private final InMemoryStore store = new InMemoryStore();
    private final Strategies strategies = new Strategies(Fixtures.imageStrategies());
    private final ReplicatedOrchestrator orchestrator =
            store.watchedBy(new ReplicatedOrchestrator(store, new RestartSupervisor(), strategies));
    private final Allocator allocator = new Allocator(store);
    private final Scheduler scheduler = new Scheduler(store, strategies, List.of());

    private Service service(String name, long replicas, long parallelism, Consumer<Service> change) {
        Service s = Fixtures.replicatedService(replicas);
        s.spec.name = name;
        s.spec.labels = new java.util.HashMap<>(Map.of(ServiceSpec.RUNTIME_LABEL, "process"));
        s.spec.updateConfig = new ServiceSpec.UpdateConfig();
        s.spec.updateConfig.parallelism = parallelism;
        change.accept(s);
        s.digestTemplate();
        store.commit(new Batch().create(s));
        return s;
    }

    private static void auto(Service s) {
        s.spec.labels.put(ServiceSpec.REBALANCE_LABEL, ServiceSpec.REBALANCE_AUTO);
    }

    private static void spreadOverAz(Service s) {
        TaskSpec.Preference p = new TaskSpec.Preference();
        p.spread = new TaskSpec.Spread();
        p.spread.spreadDescriptor = "node.labels.az";
        s.spec.taskTemplate.placement = new TaskSpec.Placement();
        s.spec.taskTemplate.placement.preferences = List.of(p);
    }

    /** One round: the orchestrator, the scheduler, then each node's agent. */
    private void round() throws Exception {
        orchestrator.passNow();
        allocator.passNow();
        scheduler.passNow();
        Fixtures.agentsAct(store);
    }

    private void settle() throws Exception {
        for (int i = 0; i < 30; i++) {
            round();
        }
    }

    /** Running tasks of the service per node (nodes without any left out). */
    private Map<String, Long> perNode(Service s) {
        return Fixtures.runningPerNode(store, s);
    }

    private long stopping(Service s) {
        return store.memory().tasksOfService(s.id).stream()
                .filter(t -> t.desired() == TaskState.SHUTDOWN && t.state() == TaskState.RUNNING)
                .count();
    }

    @Test
    void aNodeJoiningAnUnbalancedSwarmGetsItsShareOnlyForServicesThatAsk() throws Exception {
        Fixtures.join(store, Fixtures.node("n1"), Fixtures.node("n2"));
        Service on = service("on", 6, 1, RebalanceTest::auto);
        Service off = service("off", 6, 1, s -> {});
        settle();
        assertEquals(Map.of("n1", 3L, "n2", 3L), perNode(on));
        assertEquals(Map.of("n1", 3L, "n2", 3L), perNode(off));

        Fixtures.join(store, Fixtures.node("n3"));
        orchestrator.passNow();
        assertEquals(1, stopping(on), "one move at a time: the update parallelism");
        assertEquals(0, stopping(off));
        settle();
        assertEquals(Map.of("n1", 2L, "n2", 2L, "n3", 2L), perNode(on), "spread evenly again");
        assertEquals(Map.of("n1", 3L, "n2", 3L), perNode(off), "nothing moved for a service that did not ask");
        assertEquals(6, perNode(on).values().stream().mapToLong(Long::longValue).sum());

        long tasks = store.memory().tasksOfService(on.id).size();
        settle();
        assertEquals(tasks, store.memory().tasksOfService(on.id).size(), "an even spread is left alone");
    }

    @Test
    void aRequestedRebalanceHappensOnceAndIsMarkedCompleted() throws Exception {
        Fixtures.join(store, Fixtures.node("n1"));
        Service s = service("once", 4, 0, x -> {});
        settle();
        Fixtures.join(store, Fixtures.node("n2"));
        settle();
        assertEquals(Map.of("n1", 4L), perNode(s));

        ServicePatch p = new ServicePatch();
        p.rebalanceStatus = new Service.RebalanceStatus();
        p.rebalanceStatus.state = "requested";
        store.commit(new Batch().patchService(s.id, p));
        orchestrator.passNow();
        assertEquals(2, stopping(s), "parallelism 0: every move at once");
        settle();
        assertEquals(Map.of("n1", 2L, "n2", 2L), perNode(s));
        assertEquals("completed", store.memory().<Service>get(Kind.SERVICE, s.id).rebalanceStatus.state);

        Fixtures.join(store, Fixtures.node("n3"));
        settle();
        assertEquals(Map.of("n1", 2L, "n2", 2L), perNode(s), "the request was for once");
    }

    @Test
    void rebalancingFollowsThePlacementPreferenceTree() throws Exception {
        Fixtures.join(store, Fixtures.node("a1", "az", "1"), Fixtures.node("b1", "az", "2"));
        Service s = service("zones", 4, 1, x -> {
            auto(x);
            spreadOverAz(x);
        });
        settle();
        assertEquals(Map.of("a1", 2L, "b1", 2L), perNode(s));

        Fixtures.join(store, Fixtures.node("a2", "az", "1"));
        settle();
        assertEquals(Map.of("a1", 1L, "a2", 1L, "b1", 2L), perNode(s), "even inside az=1; the zones already were");

        Fixtures.join(store, Fixtures.node("c1", "az", "3"));
        settle();
        Map<String, Long> per = perNode(s);
        long az1 = per.getOrDefault("a1", 0L) + per.getOrDefault("a2", 0L);
        List<Long> zones = List.of(az1, per.getOrDefault("b1", 0L), per.getOrDefault("c1", 0L)).stream()
                .sorted()
                .toList();
        assertEquals(List.of(1L, 1L, 2L), zones, "a new zone takes its share: " + per);
    }

    @Test
    void aNodeThatCannotTakeTheTasksIsNoReasonToMoveThem() throws Exception {
        Fixtures.join(store, Fixtures.node("n1", "disk", "ssd"));
        Service s = service("ssd", 2, 1, x -> {
            auto(x);
            x.spec.taskTemplate.placement = new TaskSpec.Placement();
            x.spec.taskTemplate.placement.constraints = List.of("node.labels.disk==ssd");
        });
        settle();
        Node hdd = Fixtures.node("n2", "disk", "hdd");
        Node drained = Fixtures.node("n3", "disk", "ssd");
        drained.spec.availability = "drain";
        Fixtures.join(store, hdd, drained);
        settle();
        assertEquals(Map.of("n1", 2L), perNode(s));

        Node n3 = Json.copy(store.memory().<Node>get(Kind.NODE, "n3"));
        n3.spec.availability = "active";
        store.commit(new Batch().update(n3));
        settle();
        assertEquals(Map.of("n1", 1L, "n3", 1L), perNode(s), "once active, the ssd node takes its share");
    }
}
