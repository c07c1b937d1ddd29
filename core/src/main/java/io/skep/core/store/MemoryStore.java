package io.skep.core.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.skep.api.model.Cidr;
import io.skep.api.model.Cluster;
import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Network;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.StoredObject;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.api.model.Version;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The cluster's objects in memory, indexed, as the committed Raft log has built them.
 *
 * <p>Every manager applies the same entries in the same order, so {@link #apply} must be deterministic: it
 * reads only the entry and the store. Stored objects are never changed in place; readers share them and
 * must {@link Json#copy copy} before they modify anything ({@link ChangeGuard} checks that in the test suites).
 */
public final class MemoryStore {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Kind, Map<String, StoredObject>> objects = new EnumMap<>(Kind.class);
    private final Map<String, Set<String>> tasksByService = new HashMap<>();
    private final Map<String, Set<String>> tasksByNode = new HashMap<>();
    private final List<Consumer<List<StoreEvent>>> listeners = new CopyOnWriteArrayList<>();
    private volatile long lastIndex;
    /** Notified whenever {@link #lastIndex} moves. */
    private final Object applied = new Object();
    /** Checks that no stored object changes in place (null: not checked). Guarded by the lock. */
    private final ChangeGuard guard;

    public MemoryStore() {
        this(ChangeGuard.fromSystemProperty());
    }

    MemoryStore(ChangeGuard guard) {
        this.guard = guard;
        for (Kind kind : Kind.values()) {
            objects.put(kind, new LinkedHashMap<>());
        }
    }

    /** Registers a listener called, on the applying thread, with the events of each applied entry. */
    public Runnable subscribe(Consumer<List<StoreEvent>> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The log index of the last entry applied. */
    public long lastIndex() {
        return lastIndex;
    }

    /**
     * Waits until the entry at {@code index} is applied here: a write committed through the leader is then read back
     * from this member's copy, as its client expects.
     *
     * @return whether it was applied within {@code timeout}
     */
    public boolean awaitApplied(long index, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (applied) {
            while (lastIndex < index) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                applied.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    private void advance(long index) {
        synchronized (applied) {
            lastIndex = index;
            applied.notifyAll();
        }
    }

    // ---------------------------------------------------------------------------------------------- apply

    /** Applies one committed entry at {@code index}: all its changes, or none if one conflicts. */
    public CommitResult apply(Batch.Entry entry, long index) {
        List<StoreEvent> events = new ArrayList<>();
        lock.writeLock().lock();
        try {
            if (guard != null) {
                guard.check();
            }
            String conflict = conflict(entry.changes());
            if (conflict != null) {
                advance(index);
                return new CommitResult(index, conflict);
            }
            for (Change change : entry.changes()) {
                StoreEvent event = applyOne(change, index, entry.time());
                if (event != null) {
                    events.add(event);
                }
            }
            advance(index);
        } finally {
            lock.writeLock().unlock();
        }
        if (!events.isEmpty()) {
            for (Consumer<List<StoreEvent>> listener : listeners) {
                listener.accept(events);
            }
        }
        return new CommitResult(index, null);
    }

    private String conflict(List<Change> changes) {
        Set<String> created = new HashSet<>();
        for (Change c : changes) {
            Map<String, StoredObject> byId = objects.get(c.kind());
            StoredObject current = byId.get(c.id());
            switch (c.op()) {
                case CREATE -> {
                    if (current != null || !created.add(c.kind() + "/" + c.id())) {
                        return c.kind().label() + " " + c.id() + " already exists";
                    }
                    String nameConflict = nameConflict(c);
                    if (nameConflict != null) {
                        return nameConflict;
                    }
                }
                case UPDATE -> {
                    if (current == null) {
                        return c.kind().label() + " " + c.id() + " not found";
                    }
                    if (current.versionIndex() != c.expectedVersion()) {
                        return "update out of sequence: " + c.kind().label() + " " + c.id() + " is at version "
                                + current.versionIndex() + ", the update was made from version " + c.expectedVersion();
                    }
                    String nameConflict = nameConflict(c);
                    if (nameConflict != null) {
                        return nameConflict;
                    }
                }
                case PATCH, DELETE -> {
                    // a patch of a deleted object, or a repeated delete, does nothing
                }
            }
        }
        return null;
    }

    /** Service names are unique, and so are network names; networks' subnets and VXLAN IDs never overlap. */
    private String nameConflict(Change c) {
        if (c.kind() == Kind.NETWORK) {
            return networkConflict(c);
        }
        if (c.kind() != Kind.SERVICE) {
            return null;
        }
        String name = c.object().path("Spec").path("Name").asText(null);
        Service other = serviceByNameLocked(name);
        if (other != null && !other.id.equals(c.id())) {
            return "name conflicts with an existing object: service " + name + " exists with ID " + other.id;
        }
        return null;
    }

    /**
     * What makes a network unusable beside the others: the API checks all of it first, with errors naming the field;
     * this is the last word when two writers raced.
     */
    private String networkConflict(Change c) {
        Network next = (Network) read(c.object(), Kind.NETWORK);
        Cidr subnet = next.subnet();
        for (StoredObject o : objects.get(Kind.NETWORK).values()) {
            Network other = (Network) o;
            if (other.id.equals(c.id())) {
                continue;
            }
            if (Objects.equals(other.name, next.name)) {
                return "network with name " + next.name + " already exists";
            }
            Cidr taken = other.subnet();
            if (subnet != null && taken != null && subnet.overlaps(taken)) {
                return "invalid Subnet " + subnet + ": it overlaps with network " + other.name + " (" + taken + ")";
            }
            if (next.vxlanId != null && next.vxlanId.equals(other.vxlanId)) {
                return "VXLAN ID " + next.vxlanId + " is used by network " + other.name;
            }
        }
        return null;
    }

    private StoreEvent applyOne(Change c, long index, String time) {
        Map<String, StoredObject> byId = objects.get(c.kind());
        StoredObject current = byId.get(c.id());
        switch (c.op()) {
            case CREATE, UPDATE -> {
                StoredObject next = read(c.object(), c.kind());
                next.id = c.id();
                next.version = new Version(index);
                next.createdAt = current != null ? current.createdAt : next.createdAt != null ? next.createdAt : time;
                next.updatedAt = time;
                put(c.kind(), next, current);
                return new StoreEvent(
                        current == null ? StoreEvent.Type.CREATED : StoreEvent.Type.UPDATED, c.kind(), next);
            }
            case PATCH -> {
                if (current == null) {
                    return null;
                }
                // Readers may hold the current object: the patch goes on a copy (a shallow one for a task, whose
                // patch only replaces top-level fields).
                StoredObject next = current instanceof Task t ? t.shallowCopy() : Json.copy(current);
                if (!patch(next, c)) {
                    return null;
                }
                next.version = new Version(index);
                next.updatedAt = time;
                put(c.kind(), next, current);
                return new StoreEvent(StoreEvent.Type.UPDATED, c.kind(), next);
            }
            case DELETE -> {
                if (current == null) {
                    return null;
                }
                byId.remove(c.id());
                unindex(c.kind(), current);
                if (guard != null) {
                    guard.removed(current);
                }
                return new StoreEvent(StoreEvent.Type.DELETED, c.kind(), current);
            }
        }
        throw new IllegalStateException("unknown op " + c.op());
    }

    /** Applies a patch; returns whether anything changed. */
    private static boolean patch(StoredObject target, Change c) {
        try {
            switch (c.kind()) {
                case TASK -> {
                    return patchTask((Task) target, Json.MAPPER.treeToValue(c.object(), TaskPatch.class));
                }
                case NODE -> {
                    Node node = (Node) target;
                    NodePatch p = Json.MAPPER.treeToValue(c.object(), NodePatch.class);
                    boolean changed = false;
                    if (p.description != null && !Json.same(p.description, node.description)) {
                        node.description = p.description;
                        changed = true;
                    }
                    if (p.tlsInfo != null && !Json.same(p.tlsInfo, node.description.tlsInfo)) {
                        node.description.tlsInfo = p.tlsInfo;
                        changed = true;
                    }
                    if (p.status != null && !Json.same(p.status, node.status)) {
                        node.status = p.status;
                        changed = true;
                    }
                    if (p.managerStatus != null && !Json.same(p.managerStatus, node.managerStatus)) {
                        node.managerStatus = p.managerStatus;
                        changed = true;
                    }
                    return changed;
                }
                case SERVICE -> {
                    Service service = (Service) target;
                    ServicePatch p = Json.MAPPER.treeToValue(c.object(), ServicePatch.class);
                    boolean changed = false;
                    if (p.updateStatus != null && !Json.same(p.updateStatus, service.updateStatus)) {
                        service.updateStatus = p.updateStatus;
                        changed = true;
                    }
                    if (p.rebalanceStatus != null && !Json.same(p.rebalanceStatus, service.rebalanceStatus)) {
                        service.rebalanceStatus = p.rebalanceStatus;
                        changed = true;
                    }
                    if (p.virtualIps != null || p.endpointSpec != null || p.ports != null) {
                        if (service.endpoint == null) {
                            service.endpoint = new Service.Endpoint();
                        }
                        if (p.virtualIps != null && !Json.same(p.virtualIps, service.endpoint.virtualIps)) {
                            service.endpoint.virtualIps = p.virtualIps.isEmpty() ? null : p.virtualIps;
                            changed = true;
                        }
                        if (p.endpointSpec != null && !Json.same(p.endpointSpec, service.endpoint.spec)) {
                            service.endpoint.spec = p.endpointSpec;
                            changed = true;
                        }
                        if (p.ports != null && !Json.same(p.ports, service.endpoint.ports)) {
                            service.endpoint.ports = p.ports.isEmpty() ? null : p.ports;
                            changed = true;
                        }
                    }
                    return changed;
                }
                default -> throw new IllegalStateException("no patch for " + c.kind());
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable patch of " + c.kind().label() + " " + c.id(), e);
        }
    }

    // States only move forward: a late or repeated patch changes nothing.
    /**
     * A state a patch names, or null for one that is no state: a patch is never the reason an entry stops half-applied
     * (writers check states before they write; this is what the store does when one did not).
     */
    private static TaskState stateOrNull(String wire) {
        try {
            return TaskState.fromWire(wire);
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    private static boolean patchTask(Task task, TaskPatch p) {
        boolean changed = false;
        TaskState wanted = stateOrNull(p.desiredState);
        if (wanted != null) {
            if (task.desired() == null || wanted.isAfter(task.desired())) {
                task.desiredState = p.desiredState;
                changed = true;
            }
        }
        if (p.networksAttachments != null && task.networksAttachments == null) {
            task.networksAttachments = p.networksAttachments;
            changed = true;
        }
        if (p.nodeId != null && task.nodeId == null) {
            task.nodeId = p.nodeId;
            changed = true;
        }
        TaskState next = p.status == null ? null : stateOrNull(p.status.state);
        if (next != null) {
            TaskState now = task.state();
            boolean forward = now == null || next.isAfter(now);
            boolean sameStateNewWords = next == now && !Json.same(p.status, task.status);
            if (forward || sameStateNewWords) {
                task.status = p.status;
                changed = true;
            }
        }
        return changed;
    }

    private static StoredObject read(JsonNode node, Kind kind) {
        try {
            return Json.MAPPER.treeToValue(node, kind.type());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable " + kind.label() + " in the log", e);
        }
    }

    private void put(Kind kind, StoredObject next, StoredObject previous) {
        if (previous != null) {
            unindex(kind, previous);
            if (guard != null) {
                guard.removed(previous);
            }
        }
        objects.get(kind).put(next.id, next);
        if (guard != null) {
            guard.stored(next);
        }
        if (kind == Kind.TASK) {
            Task t = (Task) next;
            if (t.serviceId != null) {
                tasksByService
                        .computeIfAbsent(t.serviceId, k -> new HashSet<>())
                        .add(t.id);
            }
            if (t.nodeId != null) {
                tasksByNode.computeIfAbsent(t.nodeId, k -> new HashSet<>()).add(t.id);
            }
        }
    }

    private void unindex(Kind kind, StoredObject previous) {
        if (kind != Kind.TASK) {
            return;
        }
        Task t = (Task) previous;
        removeFrom(tasksByService, t.serviceId, t.id);
        removeFrom(tasksByNode, t.nodeId, t.id);
    }

    private static void removeFrom(Map<String, Set<String>> index, String key, String id) {
        if (key == null) {
            return;
        }
        Set<String> ids = index.get(key);
        if (ids != null) {
            ids.remove(id);
            if (ids.isEmpty()) {
                index.remove(key);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- reads

    @SuppressWarnings("unchecked")
    public <T extends StoredObject> T get(Kind kind, String id) {
        lock.readLock().lock();
        try {
            return (T) objects.get(kind).get(id);
        } finally {
            lock.readLock().unlock();
        }
    }

    @SuppressWarnings("unchecked")
    public <T extends StoredObject> List<T> list(Kind kind) {
        lock.readLock().lock();
        try {
            return (List<T>) List.copyOf(objects.get(kind).values());
        } finally {
            lock.readLock().unlock();
        }
    }

    public Cluster cluster() {
        List<Cluster> clusters = list(Kind.CLUSTER);
        return clusters.isEmpty() ? null : clusters.get(0);
    }

    public List<Node> nodes() {
        return list(Kind.NODE);
    }

    public List<Service> services() {
        return list(Kind.SERVICE);
    }

    public List<Task> tasks() {
        return list(Kind.TASK);
    }

    public List<Network> networks() {
        return list(Kind.NETWORK);
    }

    public List<Task> tasksOfService(String serviceId) {
        return tasksIn(tasksByService, serviceId);
    }

    public List<Task> tasksOfNode(String nodeId) {
        return tasksIn(tasksByNode, nodeId);
    }

    private List<Task> tasksIn(Map<String, Set<String>> index, String key) {
        lock.readLock().lock();
        try {
            Collection<String> ids = index.getOrDefault(key, Set.of());
            Map<String, StoredObject> tasks = objects.get(Kind.TASK);
            List<Task> out = new ArrayList<>(ids.size());
            for (String id : ids) {
                out.add((Task) tasks.get(id));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    public Service serviceByName(String name) {
        lock.readLock().lock();
        try {
            return serviceByNameLocked(name);
        } finally {
            lock.readLock().unlock();
        }
    }

    private Service serviceByNameLocked(String name) {
        for (StoredObject o : objects.get(Kind.SERVICE).values()) {
            if (Objects.equals(((Service) o).name(), name)) {
                return (Service) o;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------ snapshots

    /** Every object, by kind, as of {@link #lastIndex()}: the content of a snapshot. */
    public Map<Kind, List<StoredObject>> dump() {
        lock.readLock().lock();
        try {
            if (guard != null) {
                guard.check();
            }
            Map<Kind, List<StoredObject>> out = new EnumMap<>(Kind.class);
            objects.forEach((kind, byId) -> out.put(kind, List.copyOf(byId.values())));
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Replaces the whole content with a snapshot's. */
    public void restore(Map<Kind, List<StoredObject>> content, long index) {
        lock.writeLock().lock();
        try {
            objects.values().forEach(Map::clear);
            if (guard != null) {
                guard.clear();
            }
            tasksByService.clear();
            tasksByNode.clear();
            content.forEach((kind, list) -> list.forEach(o -> put(kind, o, null)));
            advance(index);
        } finally {
            lock.writeLock().unlock();
        }
    }
}
