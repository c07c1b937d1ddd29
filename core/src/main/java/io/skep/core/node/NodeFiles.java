package io.skep.core.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.core.fs.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What a node keeps in its data directory besides the Raft log and its keys ({@link NodeKeys}): its identity, and the
 * swarm it belongs to. Both are written atomically and durably ({@link DurableFiles}).
 */
final class NodeFiles {
    private NodeFiles() {}

    /** The node's ID, made on its first start and kept for life. */
    static String nodeId(Path dataDir) throws IOException {
        Path file = dataDir.resolve("node.json");
        if (Files.exists(file)) {
            return Json.read(Files.readAllBytes(file), ObjectNode.class)
                    .get("NodeID")
                    .asText();
        }
        String id = Ids.newId();
        ObjectNode node = Json.MAPPER.createObjectNode().put("NodeID", id);
        write(file, Json.bytes(node));
        return id;
    }

    /** A new ID for the node, kept from now on: a node that left a swarm joins the next one as a new node. */
    static String renewNodeId(Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve("node.json"));
        return nodeId(dataDir);
    }

    /**
     * The swarm this node is part of. A manager: the Raft group and port, the snapshot interval, the address its
     * cluster port is bound to and the one it advertises. A worker: the managers' cluster addresses.
     */
    record SwarmState(
            String clusterId,
            String role,
            UUID raftGroup,
            int raftPort,
            long snapshotInterval,
            String listenAddr,
            String advertiseAddr,
            List<String> managers) {
        static final String MANAGER = "manager";
        static final String WORKER = "worker";

        static SwarmState manager(
                String clusterId,
                UUID raftGroup,
                int raftPort,
                long snapshotInterval,
                String listenAddr,
                String advertiseAddr) {
            return new SwarmState(
                    clusterId,
                    MANAGER,
                    raftGroup,
                    raftPort,
                    snapshotInterval,
                    listenAddr,
                    advertiseAddr,
                    List.of(advertiseAddr));
        }

        static SwarmState worker(String clusterId, String advertiseAddr, List<String> managers) {
            return new SwarmState(clusterId, WORKER, null, 0, 0, null, advertiseAddr, managers);
        }

        boolean isManager() {
            return MANAGER.equals(role);
        }

        SwarmState withManagers(List<String> next) {
            return new SwarmState(
                    clusterId,
                    role,
                    raftGroup,
                    raftPort,
                    snapshotInterval,
                    listenAddr,
                    advertiseAddr,
                    List.copyOf(next));
        }
    }

    static SwarmState swarm(Path dataDir) throws IOException {
        Path file = dataDir.resolve("swarm.json");
        if (!Files.exists(file)) {
            return null;
        }
        ObjectNode o = Json.read(Files.readAllBytes(file), ObjectNode.class);
        List<String> managers = new ArrayList<>();
        o.path("Managers").forEach(m -> managers.add(m.asText()));
        return new SwarmState(
                o.get("ClusterID").asText(),
                o.path("Role").asText(SwarmState.MANAGER),
                o.hasNonNull("RaftGroup") ? UUID.fromString(o.get("RaftGroup").asText()) : null,
                o.path("RaftPort").asInt(),
                o.path("SnapshotInterval").asLong(),
                o.path("ListenAddr").asText(null),
                o.path("AdvertiseAddr").asText(null),
                List.copyOf(managers));
    }

    static void saveSwarm(Path dataDir, SwarmState s) throws IOException {
        ObjectNode o =
                Json.MAPPER.createObjectNode().put("ClusterID", s.clusterId()).put("Role", s.role());
        if (s.raftGroup() != null) {
            o.put("RaftGroup", s.raftGroup().toString())
                    .put("RaftPort", s.raftPort())
                    .put("SnapshotInterval", s.snapshotInterval());
        }
        if (s.listenAddr() != null) {
            o.put("ListenAddr", s.listenAddr());
        }
        if (s.advertiseAddr() != null) {
            o.put("AdvertiseAddr", s.advertiseAddr());
        }
        com.fasterxml.jackson.databind.node.ArrayNode managers = o.putArray("Managers");
        s.managers().forEach(managers::add);
        write(dataDir.resolve("swarm.json"), Json.bytes(o));
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        DurableFiles.write(file, bytes);
    }
}
