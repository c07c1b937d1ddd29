package io.skep.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.StoredObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

    public int size() {
        return changes.size();
    }

    /**
     * The Raft entries that carry this batch: each holds at most {@code maxChanges} changes and {@code maxBytes} bytes
     * and is applied whole (an empty batch is one empty entry: a no-op that proves the log applied). Each change is
     * encoded once. An entry carries the proposer's clock, so that every replica stamps {@code UpdatedAt} alike when it
     * applies it.
     *
     * @throws EntryTooLargeException when one change alone does not fit in {@code maxBytes}
     */
    public List<byte[]> entries(int maxChanges, int maxBytes) throws EntryTooLargeException {
        byte[] head = ("{\"Time\":" + Json.string(Ids.now()) + ",\"Changes\":[").getBytes(StandardCharsets.UTF_8);
        int framing = head.length + 2; // the head, and the closing "]}"
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream entry = null;
        int inEntry = 0;
        for (Change c : changes) {
            byte[] change = Json.bytes(encode(c));
            if (framing + change.length > maxBytes) {
                throw new EntryTooLargeException(c.kind(), c.id(), change.length, maxBytes - framing);
            }
            if (entry != null && (inEntry == maxChanges || entry.size() + 1 + change.length + 2 > maxBytes)) {
                out.add(close(entry));
                entry = null;
            }
            if (entry == null) {
                entry = new ByteArrayOutputStream(Math.min(maxBytes, 64 * 1024));
                entry.writeBytes(head);
                inEntry = 0;
            } else {
                entry.write(',');
            }
            entry.writeBytes(change);
            inEntry++;
        }
        if (entry == null) {
            entry = new ByteArrayOutputStream();
            entry.writeBytes(head);
        }
        out.add(close(entry));
        return out;
    }

    private static byte[] close(ByteArrayOutputStream entry) {
        entry.write(']');
        entry.write('}');
        return entry.toByteArray();
    }

    private static ObjectNode encode(Change c) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("Op", c.op().name());
        node.put("Kind", c.kind().name());
        node.put("ID", c.id());
        if (c.expectedVersion() != 0) {
            node.put("Expect", c.expectedVersion());
        }
        if (c.object() != null) {
            node.set("Object", c.object());
        }
        return node;
    }

    /** The whole batch as one Raft entry, however large (tests and benchmarks of the store alone). */
    public byte[] encode() {
        try {
            return entries(Integer.MAX_VALUE, Integer.MAX_VALUE).get(0);
        } catch (EntryTooLargeException e) {
            throw new IllegalStateException(e); // no change is larger than the largest array
        }
    }

    /** A decoded entry: the proposer's time and the changes. */
    public record Entry(String time, List<Change> changes) {}

    public static Entry decode(byte[] payload) {
        try {
            JsonNode entry = Json.MAPPER.readTree(payload);
            JsonNode array = entry.get("Changes");
            List<Change> out = new ArrayList<>(array.size());
            for (JsonNode node : array) {
                out.add(new Change(
                        Change.Op.valueOf(node.get("Op").asText()),
                        Kind.valueOf(node.get("Kind").asText()),
                        node.get("ID").asText(),
                        node.path("Expect").asLong(0),
                        node.get("Object")));
            }
            return new Entry(entry.get("Time").asText(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
