package io.skep.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.skep.api.model.Cluster;
import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.core.store.Batch;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import org.junit.jupiter.api.Test;

/**
 * The swarm-wide limits of a service create or update, checked against a store that holds services of many replicas
 * (no orchestrator runs: nothing makes their tasks).
 */
class SwarmRoomTest {

    private static ServiceSpec replicas(long n) {
        ServiceSpec spec = Fixtures.replicatedService(n).spec;
        spec.name = "new";
        return spec;
    }

    @Test
    void theTasksOfAllServicesStayUnderTheSwarmsLimitButScalingDownAlwaysPasses() {
        InMemoryStore store = new InMemoryStore();
        Service a = Fixtures.replicatedService(RequestLimits.REPLICAS_PER_SERVICE);
        Service b = Fixtures.replicatedService(RequestLimits.TASKS - RequestLimits.REPLICAS_PER_SERVICE - 10);
        b.spec.name = "b";
        store.commit(new Batch().create(a).create(b).create(Fixtures.node("n1")));

        ServiceSpecValidator.checkRoom(replicas(10), null, store.memory()); // exactly at the limit
        ApiException over = assertThrows(
                ApiException.class, () -> ServiceSpecValidator.checkRoom(replicas(11), null, store.memory()));
        assertEquals(400, over.status());
        assertEquals(
                "invalid Mode.Replicated.Replicas: at most " + RequestLimits.TASKS + " tasks in the swarm (the "
                        + "replicas of all its services); its other services ask for " + (RequestLimits.TASKS - 10)
                        + ", this one for 11",
                over.getMessage());

        ServiceSpec global = replicas(0);
        global.mode = new ServiceSpec.ServiceMode();
        global.mode.global = new ServiceSpec.Global();
        ServiceSpecValidator.checkRoom(global, null, store.memory()); // one node: one task
        ServiceSpec growA = a.spec;
        growA.mode.replicated.replicas = RequestLimits.REPLICAS_PER_SERVICE + 11;
        assertThrows(ApiException.class, () -> ServiceSpecValidator.checkRoom(growA, a.id, store.memory()));
        growA.mode.replicated.replicas = RequestLimits.REPLICAS_PER_SERVICE + 10;
        ServiceSpecValidator.checkRoom(growA, a.id, store.memory()); // its own replicas count once
    }

    @Test
    void aSwarmOverTheLimitMayScaleDownButNotUp() {
        InMemoryStore store = new InMemoryStore();
        Service big = Fixtures.replicatedService(RequestLimits.TASKS + 5); // the limit was higher once
        store.commit(new Batch().create(big));
        ServiceSpec down = Fixtures.replicatedService(RequestLimits.TASKS + 1).spec;
        ServiceSpecValidator.checkRoom(down, big.id, store.memory());
        ServiceSpec up = Fixtures.replicatedService(RequestLimits.TASKS + 6).spec;
        assertThrows(ApiException.class, () -> ServiceSpecValidator.checkRoom(up, big.id, store.memory()));
    }

    @Test
    void theSwarmHoldsAtMostSoManyServices() {
        InMemoryStore store = new InMemoryStore();
        Batch batch = new Batch();
        for (int i = 0; i < RequestLimits.SERVICES; i++) {
            Service s = Fixtures.replicatedService(0);
            s.spec.name = "s" + i;
            batch.create(s);
        }
        store.commit(batch);
        ApiException full = assertThrows(
                ApiException.class, () -> ServiceSpecValidator.checkRoom(replicas(1), null, store.memory()));
        assertEquals(
                "invalid ServiceSpec: at most " + RequestLimits.SERVICES + " services in the swarm, it has "
                        + RequestLimits.SERVICES,
                full.getMessage());
        Service first = store.memory().services().get(0);
        ServiceSpecValidator.checkRoom(first.spec, first.id, store.memory()); // an update of one of them
    }

    @Test
    void aStoredNegativeOrHugeHistoryLimitCannotBreakTheReaper() {
        Cluster c = new Cluster();
        c.spec = new Cluster.SwarmSpec();
        c.spec.orchestration = new Cluster.Orchestration();
        c.spec.orchestration.taskHistoryRetentionLimit = -1L; // refused by the API now; an older store may hold it
        assertEquals(5, c.taskHistoryLimit());
        c.spec.orchestration.taskHistoryRetentionLimit = 3_000_000_000L;
        assertEquals(Integer.MAX_VALUE, c.taskHistoryLimit());
        c.spec.orchestration.taskHistoryRetentionLimit = 0L;
        assertEquals(0, c.taskHistoryLimit());
    }
}
