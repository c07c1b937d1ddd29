package io.skep.core.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
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

/**
 * The replicated store: a Raft group (Apache Ratis, gRPC transport, mutual TLS between managers) whose state
 * machine is a {@link MemoryStore}. Writes go through {@link #submit}; reads go to {@link #memory()} directly, on
 * any member. Members are managers, known by node ID and Raft address.
 */
public final class RaftStore implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RaftStore.class);
    /** Swarm's default: a snapshot every 10,000 entries. */
    public static final long DEFAULT_SNAPSHOT_INTERVAL = 10_000;
    /**
     * The group's clocks.
     *
     * @param electionMin    a follower that hears nothing from its leader for a time between this and
     *                       {@code electionMax} runs for leader
     * @param electionMax    see {@code electionMin}
     * @param leaderStepDown a leader that has not heard from a majority for this long steps down (and so stops taking
     *                       writes)
     * @param quorumWindow   a member heard from within this window counts towards the quorum that writes need
     * @param forwardTimeout how long a write that this member does not lead keeps looking for a leader that takes it
     *                       (an election or two) before it is refused as without a quorum
     */
    public record Timing(
            Duration electionMin,
            Duration electionMax,
            Duration leaderStepDown,
            Duration quorumWindow,
            Duration forwardTimeout) {
        /**
         * Elections after 0.5-1 s of silence: long enough for a JVM's pauses on a busy 2-core machine, short enough to
         * fail over in about a second. A write finds a new leader within 3 s or is refused.
         */
        public static final Timing DEFAULT = new Timing(
                Duration.ofMillis(500),
                Duration.ofMillis(1000),
                Duration.ofSeconds(2),
                Duration.ofMillis(1500),
                Duration.ofSeconds(3));
    }

    /** A member of the group: a manager's node ID and its Raft address ({@code host:port}). */
    public record Member(String id, String address) {}

    /** The TLS of Raft traffic: this manager's key, and whom it trusts (managers of the swarm only). */
    public record Tls(KeyManager keys, TrustManager trust) {}

    /** What the group tells a member about leadership and membership (called on a Raft thread: do not block). */
    public interface Listener {
        /** This member leads, and has applied everything committed before its term. */
        default void leading() {}

        /** Another member leads, or none does (an election is on). */
        default void following() {}

        /** The group's members changed (a manager added or removed). */
        default void membersChanged() {}
    }

    private final MemoryStore memory = new MemoryStore();
    private final RaftServer server;
    /** Membership, leadership transfer and snapshots: blocking calls of their own, retried a while. */
    private final RaftClient admin;
    /**
     * Its RPC carries writes this member does not lead on to the leader, each as the request it was first (same client
     * and call ID), one virtual thread a write. Not the Raft client's own retries: its ordered async API closes its
     * sliding window for good once one request has run out of retries (as happens while the quorum is lost), and a new
     * request of its own would be a second proposal of a write the leader may already have.
     */
    private final RaftClient forwarder;

    private final ExecutorService forwards = Executors.newVirtualThreadPerTaskExecutor();
    private final Timing timing;
    private final DataKey dataKey;
    private final RaftGroupId groupId;
    private final RaftPeerId peerId;
    private final Member self;
    private final java.util.List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Identifies this process's writes handed straight to the local server (its retry cache keys on them). */
    private final ClientId localClient = ClientId.randomId();

    private final AtomicLong localCalls = new AtomicLong();

    /** How a member starts. */
    enum Start {
        /** The first member of a new group (swarm init). */
        CREATE,
        /** A new member of an existing group: it waits, empty, for the leader to add it. */
        JOIN,
        /** A member's restart: group, members and content from its log and snapshot. */
        RECOVER
    }

    /**
     * The single-member group on loopback without TLS (tests and benchmarks of the store alone).
     *
     * @param dataKey seals entries and snapshots; null leaves them in the clear (a benchmark's baseline only: every
     *                manager has a key)
     */
    public RaftStore(
            Path dir, String peerId, UUID groupId, int port, boolean fresh, long snapshotInterval, DataKey dataKey)
            throws IOException {
        this(
                dir,
                new Member(peerId, "127.0.0.1:" + port),
                groupId,
                "127.0.0.1",
                fresh ? Start.CREATE : Start.RECOVER,
                snapshotInterval,
                null,
                dataKey,
                Timing.DEFAULT);
    }

    /** Creates a group with {@code self} its only member (swarm init). */
    public static RaftStore create(
            Path dir, Member self, UUID group, String bindHost, long snapshotInterval, Tls tls, DataKey dataKey)
            throws IOException {
        return new RaftStore(dir, self, group, bindHost, Start.CREATE, snapshotInterval, tls, dataKey, Timing.DEFAULT);
    }

    /** Starts a new, empty member of {@code group}: a leader adds it with {@link #addMember}. */
    public static RaftStore join(
            Path dir, Member self, UUID group, String bindHost, long snapshotInterval, Tls tls, DataKey dataKey)
            throws IOException {
        return new RaftStore(dir, self, group, bindHost, Start.JOIN, snapshotInterval, tls, dataKey, Timing.DEFAULT);
    }

    /** Restarts a member from what it keeps in {@code dir}. */
    public static RaftStore recover(
            Path dir, Member self, UUID group, String bindHost, long snapshotInterval, Tls tls, DataKey dataKey)
            throws IOException {
        return new RaftStore(dir, self, group, bindHost, Start.RECOVER, snapshotInterval, tls, dataKey, Timing.DEFAULT);
    }

    /** A member with other clocks than the default (tests that lose and regain the quorum many times). */
    static RaftStore open(
            Path dir,
            Member self,
            UUID group,
            String bindHost,
            Start start,
            long snapshotInterval,
            Tls tls,
            DataKey dataKey,
            Timing timing)
            throws IOException {
        return new RaftStore(dir, self, group, bindHost, start, snapshotInterval, tls, dataKey, timing);
    }

    /**
     * @param dataKey seals every entry's payload and every snapshot this member writes (null: in the clear, for a
     *                benchmark's baseline only)
     */
    private RaftStore(
            Path dir,
            Member self,
            UUID groupId,
            String bindHost,
            Start start,
            long snapshotInterval,
            Tls tls,
            DataKey dataKey,
            Timing timing)
            throws IOException {
        Files.createDirectories(dir);
        this.self = self;
        this.timing = timing;
        this.dataKey = dataKey;
        this.groupId = RaftGroupId.valueOf(groupId);
        this.peerId = RaftPeerId.valueOf(self.id());
        RaftPeer peer = peer(self);
        RaftGroup group =
                start == Start.CREATE ? RaftGroup.valueOf(this.groupId, peer) : RaftGroup.valueOf(this.groupId);

        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(dir.toFile()));
        GrpcConfigKeys.Server.setHost(properties, bindHost);
        GrpcConfigKeys.Server.setPort(properties, port(self.address()));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, snapshotInterval);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, time(timing.electionMin()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, time(timing.electionMax()));
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(properties, time(timing.leaderStepDown()));
        // A read-only request on a follower waits for the leader's commit index (ReadIndex): see catchUp.
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        org.apache.ratis.conf.Parameters parameters = tls == null
                ? null
                : org.apache.ratis.grpc.GrpcFactory.newRaftParameters(
                        new org.apache.ratis.grpc.GrpcTlsConfig(tls.keys(), tls.trust(), true));

        StoreStateMachine machine = new StoreStateMachine(memory, new Events(), dataKey);
        server = RaftServer.newBuilder()
                .setServerId(this.peerId)
                .setGroup(group)
                .setStateMachine(machine)
                .setProperties(properties)
                .setParameters(parameters)
                .setOption(
                        start == Start.RECOVER ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        server.start();
        RaftGroup known = start == Start.CREATE ? group : RaftGroup.valueOf(this.groupId, peer);
        admin = RaftClient.newBuilder()
                .setProperties(properties)
                .setParameters(parameters)
                .setRaftGroup(known)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        50, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
        forwarder = RaftClient.newBuilder()
                .setProperties(properties)
                .setParameters(parameters)
                .setRaftGroup(known)
                .setRetryPolicy(RetryPolicies.noRetry())
                .build();
    }

    private static RaftPeer peer(Member m) {
        return RaftPeer.newBuilder().setId(m.id()).setAddress(m.address()).build();
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private static TimeDuration time(Duration d) {
        return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Forwards the state machine's leadership and membership news to the listeners. */
    private final class Events implements StoreStateMachine.Events {
        @Override
        public void leaderReady() {
            listeners.forEach(Listener::leading);
        }

        @Override
        public void leaderChanged(String leaderId) {
            if (!self.id().equals(leaderId)) {
                listeners.forEach(Listener::following);
            }
        }

        @Override
        public void configurationChanged() {
            listeners.forEach(Listener::membersChanged);
        }
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public Member self() {
        return self;
    }

    public UUID groupId() {
        return groupId.getUuid();
    }

    /** The group's members as this member knows them (its latest configuration). */
    public List<Member> members() throws IOException {
        return server.getDivision(groupId).getRaftConf().getCurrentPeers().stream()
                .map(p -> new Member(p.getId().toString(), p.getAddress()))
                .toList();
    }

    /** The leader's node ID as this member knows it, or null during an election. */
    public String leaderId() {
        try {
            RaftPeerId leader = server.getDivision(groupId).getInfo().getLeaderId();
            return leader == null ? null : leader.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether a write can commit now, as far as this member can tell: a leader that heard from a majority of the
     * group within the quorum window, or a follower that heard from its leader within it. Writes without one
     * would only wait and time out.
     */
    public boolean hasQuorum() {
        try {
            var division = server.getDivision(groupId);
            var info = division.getInfo();
            if (info.isLeader()) {
                // Every write asks: a lone member (the usual single manager) answers without a role report.
                int members = division.getRaftConf().getCurrentPeers().size();
                return members == 1 || reachableMembers().size() * 2 > members;
            }
            if (info.getLeaderId() == null) {
                return false;
            }
            var role = info.getRoleInfoProto();
            return role.hasFollowerInfo()
                    && role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs()
                            < timing.quorumWindow().toMillis();
        } catch (IOException e) {
            return false;
        }
    }

    /** Node IDs of the members the leader heard from within the quorum window (itself included); empty off the leader. */
    public java.util.Set<String> reachableMembers() {
        try {
            var division = server.getDivision(groupId);
            if (!division.getInfo().isLeader()) {
                return java.util.Set.of();
            }
            java.util.Set<String> out = new java.util.HashSet<>();
            out.add(self.id());
            division.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList().stream()
                    .filter(f ->
                            f.getLastRpcElapsedTimeMs() < timing.quorumWindow().toMillis())
                    .forEach(f -> out.add(f.getId().getId().toStringUtf8()));
            return out;
        } catch (IOException e) {
            return java.util.Set.of();
        }
    }

    /**
     * Whether a manager's certificate for {@code nodeId} may speak Raft with this member now: never a node the swarm
     * removed, nor one the swarm's books have as a worker (demoted, or left behind by a forced new cluster) once it
     * is out of the group; a member of the group, or a manager this member's store does not know yet (it may lag),
     * may.
     */
    public boolean admits(String nodeId) {
        io.skep.api.model.Cluster cluster = memory.cluster();
        if (cluster != null && cluster.removed(nodeId)) {
            return false;
        }
        try {
            if (members().stream().anyMatch(m -> m.id().equals(nodeId))) {
                return true;
            }
        } catch (IOException e) {
            return false;
        }
        io.skep.api.model.Node node = memory.get(io.skep.api.model.Kind.NODE, nodeId);
        return node == null || "manager".equals(node.spec.role);
    }

    /** Adds a member (the leader takes it through Raft; returns once the new configuration is committed). */
    public void addMember(Member member) throws IOException {
        List<RaftPeer> peers = new java.util.ArrayList<>();
        for (Member m : members()) {
            if (!m.id().equals(member.id())) {
                peers.add(peer(m));
            }
        }
        peers.add(peer(member));
        setConfiguration(peers);
    }

    /** Removes a member; its Raft server stops hearing from the group. */
    public void removeMember(String id) throws IOException {
        List<RaftPeer> peers = members().stream()
                .filter(m -> !m.id().equals(id))
                .map(RaftStore::peer)
                .toList();
        setConfiguration(peers);
    }

    private void setConfiguration(List<RaftPeer> peers) throws IOException {
        RaftClientReply reply = admin.admin().setConfiguration(peers);
        if (!reply.isSuccess()) {
            throw new IOException("the Raft group refused the new members " + peers + ": " + reply.getException());
        }
        LOG.info(
                "Raft members now: {}",
                peers.stream().map(p -> p.getId() + "@" + p.getAddress()).toList());
    }

    /** Hands leadership to {@code id} (a leader about to be demoted), waiting up to {@code timeout}. */
    public void transferLeadership(String id, Duration timeout) throws IOException {
        RaftClientReply reply = admin.admin().transferLeadership(RaftPeerId.valueOf(id), timeout.toMillis());
        if (!reply.isSuccess()) {
            throw new IOException("leadership not transferred to " + id + ": " + reply.getException());
        }
    }

    public MemoryStore memory() {
        return memory;
    }

    /** The key that seals this store's entries and snapshots (a joining manager is given it over mutual TLS). */
    public DataKey dataKey() {
        return dataKey;
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

    /**
     * Waits until this member's copy of the store holds every write the leader had committed when this was called
     * (Raft's ReadIndex, through a read-only request to this member's server): what is read from {@link #memory()}
     * afterwards includes every write any manager had acknowledged. At once on the leader, whose copy is applied before
     * it acknowledges a write. False when no leader answered within {@code timeout} (no quorum, an election): the copy
     * is then as current as this member knows, and the caller reads it as it is.
     */
    public boolean catchUp(Duration timeout) {
        try {
            if (leaderPeer() == null) {
                return false;
            }
            if (isLeader()) {
                return true;
            }
            RaftClientRequest request = RaftClientRequest.newBuilder()
                    .setClientId(localClient)
                    .setServerId(peerId)
                    .setGroupId(groupId)
                    .setCallId(localCalls.incrementAndGet())
                    .setMessage(Message.EMPTY)
                    .setType(RaftClientRequest.readRequestType())
                    .build();
            return server.submitClientRequestAsync(request)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .isSuccess();
        } catch (IOException | ExecutionException | TimeoutException e) {
            LOG.debug("not caught up with the leader: {}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isLeader() throws IOException {
        var division = server.getDivision(groupId);
        return division.getInfo().isLeader() && division.getInfo().isLeaderReady();
    }

    /**
     * Proposes an entry (an encoded {@link Batch}); completes when it is committed and applied (or refused for a
     * conflict). The proposal goes straight to the server in this process, with no RPC; only when that server does not
     * lead (or no longer does) is it sent on to the leader, as the same request, so that a leader that already has it
     * (replicated before the old one fell) answers from its retry cache rather than apply it twice. It fails with
     * {@link NoQuorumException} when no leader takes it.
     */
    public CompletableFuture<CommitResult> submit(byte[] entry) {
        return submit(entry, true);
    }

    private CompletableFuture<CommitResult> submit(byte[] entry, boolean forward) {
        Message message =
                Message.valueOf(ByteString.copyFrom(dataKey == null ? entry : dataKey.seal(entry, DataKey.Use.ENTRY)));
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
        return local.thenCompose(reply -> !forward || reply.isSuccess() || !notLeading(reply.getException())
                        ? CompletableFuture.completedFuture(reply)
                        : forward(request))
                .thenApply(RaftStore::result);
    }

    /** {@link #submit(byte[])} of a batch small enough for one entry (tests and benchmarks of the store alone). */
    public CompletableFuture<CommitResult> submit(Batch batch) {
        return submit(batch.encode());
    }

    /**
     * Sends {@code request} on to the leader, wherever it is (this member again, should it lead once more), until one
     * answers or the forward timeout passes; fails with {@link NoQuorumException} if none takes it in time.
     */
    private CompletableFuture<RaftClientReply> forward(RaftClientRequest request) {
        return CompletableFuture.supplyAsync(
                () -> {
                    long deadline = System.nanoTime() + timing.forwardTimeout().toNanos();
                    Throwable last = null;
                    while (System.nanoTime() < deadline) {
                        RaftPeerId leader = leaderPeer();
                        if (leader != null) {
                            try {
                                RaftClientReply reply = send(request, leader, deadline);
                                if (reply.isSuccess() || !notLeading(reply.getException())) {
                                    return reply;
                                }
                                last = reply.getException();
                            } catch (IOException | ExecutionException | TimeoutException e) {
                                last = e;
                                forwarder.getClientRpc().handleException(leader, e, true);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                break;
                            }
                        }
                        try {
                            Thread.sleep(FORWARD_RETRY.toMillis()); // an election under way: ask again shortly
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                    throw new CompletionException(noLeader(
                            last != null ? last : new TimeoutException("no leader within " + timing.forwardTimeout())));
                },
                forwards);
    }

    private static final Duration FORWARD_RETRY = Duration.ofMillis(100);

    /** {@code request} as it was first made (client and call ID), to {@code leader}. */
    private RaftClientReply send(RaftClientRequest request, RaftPeerId leader, long deadline)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        RaftClientRequest again = RaftClientRequest.newBuilder()
                .setClientId(request.getClientId())
                .setServerId(leader)
                .setGroupId(groupId)
                .setCallId(request.getCallId())
                .setMessage(request.getMessage())
                .setType(request.getType())
                .build();
        if (leader.equals(peerId)) {
            return server.submitClientRequestAsync(again)
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        var rpc = forwarder.getClientRpc();
        rpc.addRaftPeers(server.getDivision(groupId).getRaftConf().getCurrentPeers());
        return rpc.sendRequest(again);
    }

    /** The leader as this member knows it, or null during an election. */
    private RaftPeerId leaderPeer() {
        try {
            return server.getDivision(groupId).getInfo().getLeaderId();
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean notLeading(Throwable e) {
        return e instanceof NotLeaderException
                || e instanceof LeaderNotReadyException
                || e instanceof org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
    }

    /**
     * Commits one entry and waits. Refused at once with {@link NoQuorumException} when this member sees no quorum (the
     * write would only wait); a proposed write that Raft could not commit (no leader in time, leadership lost under
     * it) fails with one too, marked as one that may still take effect. No failure outlives its write: the next one
     * starts afresh.
     */
    public CommitResult commit(byte[] entry, Duration timeout) throws IOException {
        return commit(entry, timeout, true);
    }

    /**
     * {@link #commit(byte[], Duration)} of a write only this member may make while it leads (its control loops'):
     * never sent on. Once another leads, the new leader's loops write what is needed from what they read, and an old
     * leader's late write would come on top of theirs.
     */
    public CommitResult commitAsLeader(byte[] entry, Duration timeout) throws IOException {
        return commit(entry, timeout, false);
    }

    private CommitResult commit(byte[] entry, Duration timeout, boolean forward) throws IOException {
        if (!hasQuorum()) {
            throw new NoQuorumException();
        }
        try {
            return submit(entry, forward).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while committing", e);
        } catch (ExecutionException e) {
            throw noLeader(e.getCause());
        } catch (TimeoutException e) {
            throw noLeader(e);
        }
    }

    /** {@link #commit(byte[], Duration)} of a batch small enough for one entry. */
    public CommitResult commit(Batch batch, Duration timeout) throws IOException {
        return commit(batch.encode(), timeout);
    }

    /** What a proposed write that Raft could not commit tells its caller: no leader took it; it may still apply. */
    private static NoQuorumException noLeader(Throwable cause) {
        return cause instanceof NoQuorumException n ? n : NoQuorumException.underWay(cause);
    }

    private static CommitResult result(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new CompletionException(noLeader(reply.getException()));
        }
        return StoreStateMachine.decodeReply(reply.getMessage().getContent().toByteArray());
    }

    /** This member takes a snapshot now (tests and benchmarks; members also take them every snapshot interval). */
    public long takeSnapshot() throws IOException {
        RaftClientReply reply = admin.getSnapshotManagementApi(peerId).create(true, 30_000);
        if (!reply.isSuccess()) {
            throw new IOException("snapshot refused", reply.getException());
        }
        return reply.getLogIndex();
    }

    @Override
    public void close() throws IOException {
        forwards.shutdownNow();
        try {
            forwarder.close();
            admin.close();
        } finally {
            server.close();
        }
    }
}
