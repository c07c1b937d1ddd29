package io.skep.core.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.skep.api.model.Kind;
import io.skep.core.pki.NodeRole;
import io.skep.core.pki.RootCa;
import io.skep.core.testing.Await;
import io.skep.core.tls.NodeTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real 3-member Ratis group in one JVM (gRPC, mutual TLS with managers' certificates) that loses its quorum and
 * regains it again and again. Each time, a write already under way when the quorum went ends as one without a
 * quorum, later writes are refused at once, and once the two lost members are back every member writes again.
 */
class QuorumLossTest {
    private static final int CYCLES = 20;
    /** Shorter than a manager's (a leader steps down after 1 s, a forwarded write looks for a leader 1 s): cycles go faster. */
    private static final RaftStore.Timing TIMING = new RaftStore.Timing(
            Duration.ofMillis(500),
            Duration.ofMillis(1000),
            Duration.ofSeconds(1),
            Duration.ofMillis(1500),
            Duration.ofSeconds(1));

    private static final Duration COMMIT = Duration.ofSeconds(30);
    private static final Duration RECOVER = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final UUID group = UUID.randomUUID();
    private final RaftStore.Member[] members = new RaftStore.Member[3];
    private final RaftStore.Tls[] tls = new RaftStore.Tls[3];
    private final RaftStore[] stores = new RaftStore[3];
    private final DataKey dataKey = DataKey.generate();

    @AfterEach
    void closeAll() throws IOException {
        for (RaftStore s : stores) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void everyMemberWritesAgainAfterEachOfTwentyLossesOfTheQuorum() throws Exception {
        startGroup();
        List<String> acknowledged = new ArrayList<>();
        List<String> refusedUnproposed = new ArrayList<>();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            int survivor = cycle % 3; // the leader's turn to survive comes too
            lose(survivor);

            // Proposed as the quorum goes (submit does not ask first whether there is one): it ends, and says it may
            // still apply. A follower sends it on to a leader that is gone; a leader holds it until it steps down.
            String underWay = "under-way-" + cycle;
            try {
                stores[survivor].submit(create(underWay)).get(COMMIT.toSeconds(), TimeUnit.SECONDS);
                fail("a write committed with two of three members down");
            } catch (ExecutionException e) {
                NoQuorumException noQuorum = assertInstanceOf(
                        NoQuorumException.class,
                        e.getCause(),
                        "cycle " + cycle + ": a write under way is refused as without a quorum");
                assertTrue(noQuorum.mayTakeEffect(), "cycle " + cycle + ": it was proposed, and says so");
            }
            // Once the loss is known, writes are refused before they are proposed.
            String refused = "refused-" + cycle;
            Await.until(RECOVER, "cycle " + cycle + ": writes refused at once", () -> {
                try {
                    stores[survivor].commit(create(refused), COMMIT);
                    throw new AssertionError("a write committed with two of three members down");
                } catch (NoQuorumException e) {
                    return !e.mayTakeEffect();
                }
            });
            refusedUnproposed.add(refused);

            for (int i = 0; i < 3; i++) {
                if (i != survivor) {
                    stores[i] = open(i, RaftStore.Start.RECOVER);
                }
            }

            for (int i = 0; i < 3; i++) {
                String id = "cycle-" + cycle + "-through-" + i;
                RaftStore through = stores[i];
                Await.until(RECOVER, "cycle " + cycle + ": a write through member " + i, () -> {
                    try {
                        return through.commit(create(id), COMMIT).applied();
                    } catch (NoQuorumException e) {
                        return false; // an election may still be on
                    }
                });
                acknowledged.add(id);
            }
        }

        for (RaftStore s : stores) {
            Await.until(
                    RECOVER,
                    "every acknowledged write on " + s.self().id(),
                    () -> acknowledged.stream().allMatch(id -> s.memory().get(Kind.SERVICE, id) != null));
            for (String id : refusedUnproposed) {
                assertNull(s.memory().get(Kind.SERVICE, id), id + " was refused before it was proposed");
            }
        }
        assertFalse(acknowledged.isEmpty());
    }

    /** Stops every member but {@code survivor} at once, as when two manager processes die together. */
    private void lose(int survivor) throws Exception {
        try (var closing = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> closed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                if (i != survivor) {
                    RaftStore store = stores[i];
                    stores[i] = null;
                    closed.add(closing.submit(() -> {
                        store.close();
                        return null;
                    }));
                }
            }
            for (var f : closed) {
                f.get();
            }
        }
    }

    private static Batch create(String id) {
        return new Batch().create(MemoryStoreTest.service(id, id));
    }

    /** Three members with managers' certificates of one CA: the first creates the group, it adds the others. */
    private void startGroup() throws Exception {
        SecureRandom random = new SecureRandom();
        RootCa ca = RootCa.create(random, Instant.now());
        for (int i = 0; i < 3; i++) {
            String id = "manager" + i;
            NodeTls node = new NodeTls(
                    ca.issue(id, NodeRole.MANAGER, "cluster", Duration.ofDays(1), random, Instant.now()),
                    ca.certificate());
            tls[i] = new RaftStore.Tls(node.keyManager(), node.managersOnly());
            members[i] = new RaftStore.Member(id, "127.0.0.1:" + freePort());
            stores[i] = open(i, i == 0 ? RaftStore.Start.CREATE : RaftStore.Start.JOIN);
            if (i == 0) {
                stores[0].awaitLeader(COMMIT);
            } else {
                stores[0].addMember(members[i]);
            }
        }
    }

    private RaftStore open(int i, RaftStore.Start start) throws IOException {
        return RaftStore.open(
                dir.resolve(members[i].id()),
                members[i],
                group,
                "127.0.0.1",
                start,
                RaftStore.DEFAULT_SNAPSHOT_INTERVAL,
                tls[i],
                dataKey,
                TIMING);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
