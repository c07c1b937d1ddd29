package io.skep.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.api.model.Kind;
import io.skep.api.model.Service;
import io.skep.api.model.TaskState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real single-peer Ratis group on loopback gRPC, restarted on the same directory. */
class RaftStoreTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final DataKey dataKey = DataKey.generate();

    private RaftStore open(UUID group, int port, boolean fresh, long snapshotInterval) throws Exception {
        RaftStore store = new RaftStore(dir, "peer1", group, port, fresh, snapshotInterval, dataKey);
        store.awaitLeader(TIMEOUT);
        return store;
    }

    @Test
    void aRestartedStoreRecoversEveryObjectFromItsLog() throws Exception {
        UUID group = UUID.randomUUID();
        int port = freePort();
        long version;
        try (RaftStore store = open(group, port, true, 10_000)) {
            store.commit(
                    new Batch()
                            .create(MemoryStoreTest.service("s1", "web"))
                            .create(MemoryStoreTest.task("t1", "s1", TaskState.NEW)),
                    TIMEOUT);
            store.commit(new Batch().patchTask("t1", TaskPatch.desired("shutdown")), TIMEOUT);
            version =
                    store.memory().<io.skep.api.model.Task>get(Kind.TASK, "t1").versionIndex();
        }
        try (RaftStore store = open(group, port, false, 10_000)) {
            Service s = store.memory().get(Kind.SERVICE, "s1");
            assertNotNull(s, "the service survives the restart");
            io.skep.api.model.Task t = store.memory().get(Kind.TASK, "t1");
            assertEquals(TaskState.SHUTDOWN, t.desired());
            assertEquals(version, t.versionIndex());
        }
    }

    @Test
    void snapshotsAreTakenAndRecoveredFrom() throws Exception {
        UUID group = UUID.randomUUID();
        int port = freePort();
        try (RaftStore store = open(group, port, true, 5)) {
            for (int i = 0; i < 30; i++) {
                store.commit(new Batch().create(MemoryStoreTest.task("t" + i, "s1", TaskState.NEW)), TIMEOUT);
            }
            store.takeSnapshot();
            store.commit(new Batch().create(MemoryStoreTest.task("after", "s1", TaskState.NEW)), TIMEOUT);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            assertTrue(
                    files.anyMatch(p -> p.getFileName().toString().startsWith("snapshot.")),
                    "a snapshot file was written");
        }
        try (RaftStore store = open(group, port, false, 5)) {
            assertEquals(31, store.memory().tasksOfService("s1").size(), "snapshot plus the log after it");
        }
    }

    /**
     * A follower that catches up holds every write the leader acknowledged before: what the control API relies on
     * before a read on a follower (the docker CLI reads a version through one manager and updates through another).
     */
    @Test
    void aFollowerThatCatchesUpHoldsEveryWriteTheLeaderAcknowledged() throws Exception {
        UUID group = UUID.randomUUID();
        RaftStore.Member m1 = new RaftStore.Member("m1", "127.0.0.1:" + freePort());
        RaftStore.Member m2 = new RaftStore.Member("m2", "127.0.0.1:" + freePort());
        try (RaftStore leader = RaftStore.create(dir.resolve("m1"), m1, group, "127.0.0.1", 10_000, null, dataKey);
                RaftStore follower = RaftStore.join(dir.resolve("m2"), m2, group, "127.0.0.1", 10_000, null, dataKey)) {
            leader.awaitLeader(TIMEOUT);
            leader.addMember(m2);
            List<CompletableFuture<CommitResult>> writes = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                writes.add(leader.submit(new Batch().create(MemoryStoreTest.task("t" + i, "s1", TaskState.NEW))));
            }
            long last = 0;
            for (CompletableFuture<CommitResult> w : writes) {
                last = Math.max(last, w.get(30, TimeUnit.SECONDS).index());
            }
            assertTrue(follower.catchUp(TIMEOUT), "a follower with a leader catches up");
            assertTrue(
                    follower.memory().lastIndex() >= last,
                    "the follower has applied " + follower.memory().lastIndex() + ", the leader acknowledged " + last);
            assertEquals(300, follower.memory().tasksOfService("s1").size());
            assertTrue(leader.catchUp(TIMEOUT), "the leader is current already");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
