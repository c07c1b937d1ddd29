package io.skep.api.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** One scheduled unit of a service, as {@code GET /tasks} shows it. */
public class Task extends StoredObject {
    public Map<String, String> labels;
    public TaskSpec spec;

    @JsonProperty("ServiceID")
    public String serviceId;

    public Long slot;

    @JsonProperty("NodeID")
    public String nodeId;

    public TaskStatus status = new TaskStatus();
    public String desiredState;
    /** The service's name and labels when the task was made (swarmkit's {@code ServiceAnnotations}). */
    public Annotations serviceAnnotations;
    /** The task runtime that runs it (skep's; Docker tasks have no such field). */
    public String runtime;
    /** The service's spec version this task was made from. */
    public Long specVersion;
    /** The service's {@link Service#templateDigest} when this task was made. */
    public String templateDigest;
    /** The task's address on each network of its service (the allocator's, before the task is scheduled). */
    public List<NetworkAttachment> networksAttachments;

    /** {@code NetworksAttachments[]}: a network, as far as a task needs it, and the task's address on it. */
    public static class NetworkAttachment {
        public AttachedNetwork network;
        /** {@code 10.0.1.5/24} */
        public List<String> addresses;

        public List<String> aliases;
    }

    /** The network of an attachment, in swarmkit's shape: its ID, name, driver state (VXLAN ID) and subnet. */
    public static class AttachedNetwork {
        @JsonProperty("ID")
        public String id;

        public Map<String, Object> spec;
        public Map<String, Object> driverState;

        @JsonProperty("IPAMOptions")
        public Map<String, Object> ipamOptions;
    }

    public static class Annotations {
        public String name;
        public Map<String, String> labels;
    }

    public static class TaskStatus extends Extensible {
        public String timestamp;
        public String state;
        public String message;
        public String err;
        public ContainerStatus containerStatus;
        public Map<String, Object> portStatus;
    }

    public static class ContainerStatus {
        @JsonProperty("ContainerID")
        public String containerId;

        @JsonProperty("PID")
        public Long pid;

        public Long exitCode;
    }

    @JsonIgnore
    public TaskState state() {
        return TaskState.fromWire(status == null ? null : status.state);
    }

    @JsonIgnore
    public TaskState desired() {
        return TaskState.fromWire(desiredState);
    }

    @JsonIgnore
    public String serviceName() {
        return serviceAnnotations == null ? serviceId : serviceAnnotations.name;
    }

    /** Docker's task name: {@code <service>.<slot>} or, for a global task, {@code <service>.<node id>}. */
    @JsonIgnore
    public String name() {
        return serviceName() + "." + (slotNumber() == 0 ? nodeId : Long.toString(slotNumber()));
    }

    /** The slot for a replicated task, 0 for a global one. */
    @JsonIgnore
    public long slotNumber() {
        return slot == null ? 0 : slot;
    }

    /**
     * A copy that shares the nested objects (spec, status, labels): for a change that only replaces top-level
     * fields, never changes a nested object in place — the store's task patches. Far cheaper than a deep copy of
     * the whole spec, which every patch of every task would otherwise pay.
     */
    public Task shallowCopy() {
        Task t = new Task();
        t.id = id;
        t.version = version;
        t.createdAt = createdAt;
        t.updatedAt = updatedAt;
        t.labels = labels;
        t.spec = spec;
        t.serviceId = serviceId;
        t.slot = slot;
        t.nodeId = nodeId;
        t.status = status;
        t.desiredState = desiredState;
        t.serviceAnnotations = serviceAnnotations;
        t.runtime = runtime;
        t.specVersion = specVersion;
        t.templateDigest = templateDigest;
        t.networksAttachments = networksAttachments;
        return t;
    }

    /** Whether the orchestrator still wants this task to run (desired state running or ready). */
    @JsonIgnore
    public boolean isWanted() {
        TaskState desired = desired();
        return desired != null && desired.compareTo(TaskState.RUNNING) <= 0;
    }

    /** Wanted and not yet ended: it counts towards its service's replicas. */
    @JsonIgnore
    public boolean isActive() {
        TaskState state = state();
        return isWanted() && state != null && !state.isTerminal();
    }
}
