package io.skep.core.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.core.allocator.Allocator;
import io.skep.core.scheduler.Scheduler;
import io.skep.core.scheduler.Strategies;
import io.skep.core.store.Batch;
import io.skep.core.testing.FirstFitStrategy;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rebalancer asks the service's strategy what "even" is ({@link SchedulerStrategy#nextMove}): a strategy of its
 * own idea gets its moves, and the image's spread keeps its rule.
 */
class RebalanceStrategyTest {

    private final InMemoryStore store = new InMemoryStore();
    private final Strategies strategies = new Strategies(Fixtures.imageStrategiesAnd(new FirstFitStrategy()));
    private final ReplicatedOrchestrator orchestrator =
            store.watchedBy(new ReplicatedOrchestrator(store, new RestartSupervisor(), strategies));
    private final Allocator allocator = new Allocator(store);
    private final Scheduler scheduler = new Scheduler(store, strategies, List.of());

    private Service service(String name, long replicas, String strategy) {
        Service s = Fixtures.replicatedService(replicas);
        s.spec.name = name;
        s.spec.labels = new HashMap<>(
                Map.of(ServiceSpec.RUNTIME_LABEL, "process", ServiceSpec.REBALANCE_LABEL, ServiceSpec.REBALANCE_AUTO));
        if (strategy != null) {
            s.spec.labels.put(SchedulerStrategy.SERVICE_LABEL, strategy);
        }
        s.digestTemplate();
        store.commit(new Batch().create(s));
        return s;
    }

    /** Rounds of the orchestrator, the scheduler and the agents (run what is assigned, stop what is shut down). */
    private void settle() throws Exception {
        for (int i = 0; i < 30; i++) {
            orchestrator.passNow();
            allocator.passNow();
            scheduler.passNow();
            Fixtures.agentsAct(store);
        }
    }

    private Map<String, Long> perNode(Service s) {
        return Fixtures.runningPerNode(store, s);
    }

    @Test
    void eachServiceIsRebalancedToWhatItsOwnStrategyAimsAt() throws Exception {
        Fixtures.join(store, Fixtures.node("n2"));
        Service packed = service("packed", 3, "first-fit");
        Service spread = service("spread", 4, null);
        settle();
        assertEquals(Map.of("n2", 3L), perNode(packed));
        assertEquals(Map.of("n2", 4L), perNode(spread));

        Fixtures.join(store, Fixtures.node("n1"));
        settle();
        assertEquals(Map.of("n1", 3L), perNode(packed), "first-fit's idea: all on the first node by ID");
        assertEquals(Map.of("n1", 2L, "n2", 2L), perNode(spread), "the spread's: even");
    }
}
