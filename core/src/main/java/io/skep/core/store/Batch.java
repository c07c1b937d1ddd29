package io.skep.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.core.model.Ids;
import io.skep.core.model.Json;
import io.skep.core.model.Kind;
import io.skep.core.model.StoredObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Object changes committed together as one Raft entry: all of them are applied, or none.
 */
public final class Batch {
    private final List<Change> changes = new ArrayList<>();

    public Batch create(StoredObject object) {
        changes.add(new Change(Change.Op.CREATE, Kind.of(object), object.id, 0, Json.tree(object)));
        return this;
    }

    /** Replaces {@code object}, provided the store still holds the version it was read at. */
    public Batch update(StoredObject object) {
        changes.add(new Change(Change.Op.UPDATE, Kind.of(object), object.id, object.versionIndex(), Json.tree(object)));
        return this;
    }

    public Batch patchTask(String taskId, TaskPatch patch) {
        changes.add(new Change(Change.Op.PATCH, Kind.TASK, taskId, 0, Json.tree(patch)));
        return this;
    }

    public Batch patchNode(String nodeId, NodePatch patch) {
        changes.add(new Change(Change.Op.PATCH, Kind.NODE, nodeId, 0, Json.tree(patch)));
        return this;
    }

    public Batch patchService(String serviceId, ServicePatch patch) {
        changes.add(new Change(Change.Op.PATCH, Kind.SERVICE, serviceId, 0, Json.tree(patch)));
        return this;
    }

    public Batch delete(Kind kind, String id) {
        changes.add(new Change(Change.Op.DELETE, kind, id, 0, null));
        return this;
    }

    public List<Change> changes() {
        return List.copyOf(changes);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** This batch cut into batches of at most {@code max} changes (each still applied whole). */
    public List<Batch> split(int max) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < changes.size(); i += max) {
            Batch b = new Batch();
            b.changes.addAll(changes.subList(i, Math.min(changes.size(), i + max)));
            out.add(b);
        }
        return out;
    }

    public int size() {
        return changes.size();
    }

    /**
     * The Raft entry's payload. It carries the proposer's clock, so that every replica stamps
     * {@code UpdatedAt} alike when it applies the entry.
     */
    public byte[] encode() {
        ObjectNode entry = Json.MAPPER.createObjectNode();
        entry.put("Time", Ids.now());
        ArrayNode array = entry.putArray("Changes");
        for (Change c : changes) {
            ObjectNode node = array.addObject();
            node.put("Op", c.op().name());
            node.put("Kind", c.kind().name());
            node.put("ID", c.id());
            if (c.expectedVersion() != 0) {
                node.put("Expect", c.expectedVersion());
            }
            if (c.object() != null) {
                node.set("Object", c.object());
            }
        }
        return Json.bytes(entry);
    }

    /** A decoded entry: the proposer's time and the changes. */
    public record Entry(String time, List<Change> changes) {
    }

    public static Entry decode(byte[] payload) {
        try {
            JsonNode entry = Json.MAPPER.readTree(payload);
            JsonNode array = entry.get("Changes");
            List<Change> out = new ArrayList<>(array.size());
            for (JsonNode node : array) {
                out.add(new Change(Change.Op.valueOf(node.get("Op").asText()), Kind.valueOf(node.get("Kind").asText()),
                        node.get("ID").asText(), node.path("Expect").asLong(0), node.get("Object")));
            }
            return new Entry(entry.get("Time").asText(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
