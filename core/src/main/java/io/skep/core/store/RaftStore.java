package io.skep.core.store;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replicated store: a Raft group (Apache Ratis, gRPC transport) whose state machine is a
 * {@link MemoryStore}. Writes go through {@link #submit}; reads go to {@link #memory()} directly.
 */
public final class RaftStore implements AutoCloseable {
    /** Swarm's default: a snapshot every 10,000 entries. */
    public static final long DEFAULT_SNAPSHOT_INTERVAL = 10_000;

    private final MemoryStore memory = new MemoryStore();
    private final RaftServer server;
    private final RaftClient client;
    private final RaftGroupId groupId;
    private final RaftPeerId peerId;
    /** Identifies this process's writes handed straight to the local server (its retry cache keys on them). */
    private final ClientId localClient = ClientId.randomId();
    private final AtomicLong localCalls = new AtomicLong();

    /**
     * Starts the single-peer group kept in {@code dir}.
     *
     * @param fresh            true to create the group (swarm init); false to recover it from its log and
     *                         snapshot
     * @param snapshotInterval entries between automatic snapshots
     */
    public RaftStore(Path dir, String peerId, UUID groupId, int port, boolean fresh, long snapshotInterval)
            throws IOException {
        Files.createDirectories(dir);
        this.groupId = RaftGroupId.valueOf(groupId);
        this.peerId = RaftPeerId.valueOf(peerId);
        RaftPeer peer = RaftPeer.newBuilder().setId(this.peerId).setAddress("127.0.0.1:" + port).build();
        RaftGroup group = RaftGroup.valueOf(this.groupId, peer);

        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(dir.toFile()));
        GrpcConfigKeys.Server.setHost(properties, "127.0.0.1");
        GrpcConfigKeys.Server.setPort(properties, port);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, snapshotInterval);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);

        server = RaftServer.newBuilder()
                .setServerId(this.peerId)
                .setGroup(group)
                .setStateMachine(new StoreStateMachine(memory))
                .setProperties(properties)
                .setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER)
                .build();
        server.start();
        client = RaftClient.newBuilder()
                .setProperties(properties)
                .setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100,
                        TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
    }

    public MemoryStore memory() {
        return memory;
    }

    /** Waits until this peer leads the group and has applied what earlier leaders committed. */
    public void awaitLeader(Duration timeout) throws IOException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isLeader()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("no Raft leader within " + timeout);
            }
            Thread.sleep(20); // polling Ratis's own state: there is no leadership future to wait on here
        }
        // A committed no-op write proves the log is applied up to now.
        commit(new Batch(), timeout);
    }

    public boolean isLeader() throws IOException {
        var division = server.getDivision(groupId);
        return division.getInfo().isLeader() && division.getInfo().isLeaderReady();
    }

    /**
     * Proposes a batch; completes when it is committed and applied (or refused for a conflict). The proposal goes
     * straight to the server in this process, with no RPC; only when that server does not lead (yet) does it go
     * through the Raft client, which finds the leader and retries.
     */
    public CompletableFuture<CommitResult> submit(Batch batch) {
        Message message = Message.valueOf(ByteString.copyFrom(batch.encode()));
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClient)
                .setServerId(peerId)
                .setGroupId(groupId)
                .setCallId(localCalls.incrementAndGet())
                .setMessage(message)
                .setType(RaftClientRequest.writeRequestType())
                .build();
        CompletableFuture<RaftClientReply> local;
        try {
            local = server.submitClientRequestAsync(request);
        } catch (IOException e) {
            local = CompletableFuture.failedFuture(e);
        }
        return local.thenCompose(reply -> reply.isSuccess() || !notLeading(reply.getException())
                        ? CompletableFuture.completedFuture(reply)
                        : client.async().send(message))
                .thenApply(RaftStore::result);
    }

    private static boolean notLeading(Throwable e) {
        return e instanceof NotLeaderException || e instanceof LeaderNotReadyException;
    }

    /** {@link #submit} and wait. */
    public CommitResult commit(Batch batch, Duration timeout) throws IOException {
        try {
            return submit(batch).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while committing", e);
        } catch (ExecutionException e) {
            throw new IOException("the store could not commit: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the store did not commit within " + timeout + " (is a Raft majority up?)", e);
        }
    }

    private static CommitResult result(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new IllegalStateException("Raft refused the write", reply.getException());
        }
        return StoreStateMachine.decodeReply(reply.getMessage().getContent().toByteArray());
    }

    /** Takes a snapshot now (tests and benchmarks; the server also takes them every snapshot interval). */
    public long takeSnapshot() throws IOException {
        RaftClientReply reply = client.getSnapshotManagementApi().create(true, 30_000);
        if (!reply.isSuccess()) {
            throw new IOException("snapshot refused", reply.getException());
        }
        return reply.getLogIndex();
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
