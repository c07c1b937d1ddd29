package io.skep.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.StoredObject;
import io.skep.core.fs.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed Raft entries (encoded {@link Batch}es) to the {@link MemoryStore}, and writes and
 * loads snapshots of it. A conflicting batch is an answer, not an error: throwing here would stop the
 * server.
 */
final class StoreStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(StoreStateMachine.class);

    /** What {@link #takeSnapshot()} answers when there is nothing applied to snapshot yet. */
    private static final long NO_SNAPSHOT = -1;

    /** Leadership and membership news for the store's owner (called on Raft threads). */
    interface Events {
        void leaderReady();

        void leaderChanged(String leaderId);

        void configurationChanged();
    }

    private final MemoryStore store;
    private final Events events;
    /** Opens the entries it applies and seals the snapshots it writes; null: both in the clear (benchmarks). */
    private final DataKey dataKey;

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

    StoreStateMachine(MemoryStore store, Events events, DataKey dataKey) {
        this.store = store;
        this.events = events;
        this.dataKey = dataKey;
    }

    @Override
    public void notifyLeaderReady() {
        events.leaderReady();
    }

    @Override
    public void notifyLeaderChanged(
            org.apache.ratis.protocol.RaftGroupMemberId member, org.apache.ratis.protocol.RaftPeerId newLeader) {
        events.leaderChanged(newLeader == null ? null : newLeader.toString());
    }

    @Override
    public void notifyConfigurationChanged(
            long term, long index, org.apache.ratis.proto.RaftProtos.RaftConfigurationProto conf) {
        events.configurationChanged();
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        loadLatestSnapshot();
    }

    @Override
    public void reinitialize() throws IOException {
        loadLatestSnapshot();
    }

    /**
     * A read-only request: {@link RaftStore#catchUp} sends one to learn that this member's copy is current (Ratis runs
     * it once the copy has every write the leader had committed when it was made). Nothing is read here.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        CommitResult result;
        try {
            byte[] payload = entry.getStateMachineLogEntry().getLogData().toByteArray();
            Batch.Entry batch = Batch.decode(dataKey == null ? payload : dataKey.open(payload, DataKey.Use.ENTRY));
            result = store.apply(batch, index);
        } catch (RuntimeException e) {
            // Unreadable entries cannot come from skep's own writers; refuse, never stop the node.
            LOG.error("refusing log entry {}: {}", index, e.toString());
            result = new CommitResult(index, "unreadable entry: " + e.getMessage());
        }
        updateLastAppliedTermIndex(entry.getTerm(), index);
        ObjectNode reply = Json.MAPPER.createObjectNode();
        reply.put("Index", result.index());
        if (result.conflict() != null) {
            reply.put("Conflict", result.conflict());
        }
        return CompletableFuture.completedFuture(Message.valueOf(
                org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(Json.bytes(reply))));
    }

    static CommitResult decodeReply(byte[] bytes) {
        JsonNode reply = Json.read(bytes, JsonNode.class);
        return new CommitResult(
                reply.path("Index").asLong(), reply.path("Conflict").asText(null));
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return NO_SNAPSHOT;
        }
        Map<Kind, List<StoredObject>> content = store.dump();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("Index", last.getIndex());
        content.forEach((kind, list) -> root.set(kind.name(), Json.tree(list)));
        Path file = storage.getSnapshotFile(last.getTerm(), last.getIndex()).toPath();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, DurableFiles.OWNER_FILE);
        try (OutputStream raw = Files.newOutputStream(tmp);
                OutputStream out =
                        new GZIPOutputStream(dataKey == null ? raw : dataKey.sealing(raw, DataKey.Use.SNAPSHOT))) {
            Json.MAPPER.writeValue(out, root);
        }
        DurableFiles.sync(tmp);
        DurableFiles.moveDurably(tmp, file);
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
        Files.setPosixFilePermissions(
                MD5FileUtil.getDigestFileForFile(file.toFile()).toPath(),
                java.nio.file.attribute.PosixFilePermissions.fromString(
                        "rw-------")); // Ratis writes it as the umask says
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file, md5), last));
        LOG.info("snapshot of the store taken at log index {}", last.getIndex());
        return last.getIndex();
    }

    private void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.getLatestSnapshot();
        if (snapshot == null) {
            return;
        }
        Path file = snapshot.getFile().getPath();
        JsonNode root;
        try (InputStream raw = Files.newInputStream(file);
                InputStream in =
                        new GZIPInputStream(dataKey == null ? raw : dataKey.opening(raw, DataKey.Use.SNAPSHOT))) {
            root = Json.MAPPER.readTree(in);
        }
        Map<Kind, List<StoredObject>> content = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            List<StoredObject> list = new ArrayList<>();
            for (JsonNode node : root.path(kind.name())) {
                list.add(Json.MAPPER.treeToValue(node, kind.type()));
            }
            content.put(kind, list);
        }
        store.restore(content, snapshot.getIndex());
        updateLastAppliedTermIndex(snapshot.getTermIndex().getTerm(), snapshot.getIndex());
        LOG.info("store restored from the snapshot at log index {}", snapshot.getIndex());
    }
}
