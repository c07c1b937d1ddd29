package io.skep.core.dispatcher;

import io.skep.api.model.Cluster;
import io.skep.api.model.Ids;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.core.store.Batch;
import io.skep.core.testing.Await;
import io.skep.core.testing.InMemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The dispatcher finds a node down after three missed heartbeats of the swarm's own period. */
class HeartbeatTest {
    private final InMemoryStore store = new InMemoryStore();
    private final Dispatcher dispatcher = new Dispatcher(store);

    @AfterEach
    void stop() {
        dispatcher.close();
    }

    private void swarm(Duration heartbeat) {
        Cluster c = new Cluster();
        c.id = Ids.newId();
        c.spec = new Cluster.SwarmSpec();
        c.spec.other("Dispatcher", Map.of("HeartbeatPeriod", heartbeat.toNanos()));
        Node n = new Node();
        n.id = "n1";
        n.spec.role = "worker";
        store.commit(new Batch().create(c).create(n));
    }

    private String state() {
        return store.memory().<Node>get(Kind.NODE, "n1").status.state;
    }

    @Test
    void theSwarmsHeartbeatPeriodSetsWhenANodeIsFoundDown() {
        swarm(Duration.ofMillis(100));
        dispatcher.start();
        assertEquals(Duration.ofMillis(100), dispatcher.heartbeatPeriod(), "agents are told the swarm's period");
        AgentSession session = dispatcher.register("n1", new Node.Description(), tasks -> { });
        assertEquals("ready", state());
        // No heartbeat comes: down after 3 periods, well before the 15 s of the default period could pass.
        Await.until(Duration.ofSeconds(10), "n1 marked down", () -> "down".equals(state()));
        assertEquals("heartbeat failure", store.memory().<Node>get(Kind.NODE, "n1").status.message);
        session.heartbeat();
        assertEquals("ready", state(), "a heartbeat brings it back");
    }

    @Test
    void withoutASettingThePeriodIsSwarmsFiveSeconds() {
        swarm(Duration.ZERO);
        assertEquals(Duration.ofSeconds(5), dispatcher.heartbeatPeriod());
    }
}
