package io.skep.core.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.skep.api.model.Cluster;
import io.skep.api.model.Ids;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.core.store.Batch;
import io.skep.core.testing.Await;
import io.skep.core.testing.InMemoryStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
        AgentSession session = dispatcher.register("n1", new Node.Description(), assigned -> {});
        assertEquals("ready", state());
        // No heartbeat comes: down after 3 periods, well before the 15 s of the default period could pass.
        Await.until(Duration.ofSeconds(10), "n1 marked down", () -> "down".equals(state()));
        assertEquals("heartbeat failure", store.memory().<Node>get(Kind.NODE, "n1").status.message);
        session.heartbeat();
        assertEquals("ready", state(), "a heartbeat brings it back");
    }

    /**
     * On a ticker moved by hand: a node is down exactly once three periods passed without a sign of life, not a
     * nanosecond before, and without the test waiting for them (the loop's thread is never started).
     */
    @Test
    void aNodeIsDownAfterThreeMissedPeriodsOfTheDispatchersTicker() throws Exception {
        AtomicLong now = new AtomicLong(-5_000); // any origin: negative, zero and positive readings all work
        try (Dispatcher timed = new Dispatcher(store, now::get)) {
            swarm(Duration.ZERO); // Swarm's default period, 5 s
            long grace = Duration.ofSeconds(5).multipliedBy(3).toNanos();
            AgentSession session = timed.register("n1", new Node.Description(), assigned -> {});
            timed.passNow();
            assertEquals("ready", state());

            now.addAndGet(grace);
            timed.passNow();
            assertEquals("ready", state(), "three periods exactly: not yet");
            now.addAndGet(1);
            timed.passNow();
            assertEquals("down", state(), "past three periods without a heartbeat");
            assertEquals("heartbeat failure", store.memory().<Node>get(Kind.NODE, "n1").status.message);

            session.heartbeat();
            assertEquals("ready", state());
            now.addAndGet(grace - 1);
            timed.passNow();
            assertEquals("ready", state(), "a heartbeat restarts the count");
            session.heartbeat();
            now.addAndGet(grace);
            timed.passNow();
            assertEquals("ready", state(), "and so does each one after");

            session.heartbeat();
            session.connectionLost();
            now.addAndGet(Dispatcher.CONNECTION_GRACE.toNanos());
            timed.passNow();
            assertEquals("ready", state(), "a dropped connection has its grace");
            now.addAndGet(1);
            timed.passNow();
            assertEquals("down", state());
            assertEquals("connection lost", store.memory().<Node>get(Kind.NODE, "n1").status.message);
        }
    }

    @Test
    void withoutASettingThePeriodIsSwarmsFiveSeconds() {
        swarm(Duration.ZERO);
        assertEquals(Duration.ofSeconds(5), dispatcher.heartbeatPeriod());
    }
}
