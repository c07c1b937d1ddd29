package io.skep.api.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A service, as {@code GET /services/{id}} shows it. */
public class Service extends StoredObject {
    public ServiceSpec spec;
    public ServiceSpec previousSpec;
    public Endpoint endpoint;
    public UpdateStatus updateStatus;
    /** A requested one-off rebalance ({@code skep service update --rebalance}) and its end; skep's own field. */
    public RebalanceStatus rebalanceStatus;
    /** Filled in on {@code GET /services?status=true} only; never stored. */
    public ServiceStatus serviceStatus;
    /** Bumped on every spec change: tasks remember the spec version they were made from. */
    public Long specVersion;
    /**
     * What a task of this service is made from, as a digest: the task template and the runtime. A task
     * whose digest differs is out of date. Set whenever the spec is written.
     */
    public String templateDigest;

    /** Recomputes {@link #templateDigest} from the spec. */
    public void digestTemplate() {
        Map<String, Object> made = new HashMap<>();
        made.put("TaskTemplate", spec.taskTemplate);
        made.put("Runtime", spec.runtime());
        templateDigest = Json.digest(made);
    }

    public static class Endpoint extends Extensible {
        public EndpointSpec spec;
        public List<PortConfig> ports;

        /** One address per network of the service, unless it resolves by DNS round robin. */
        @com.fasterxml.jackson.annotation.JsonProperty("VirtualIPs")
        public List<VirtualIp> virtualIps;
    }

    /** {@code Endpoint.VirtualIPs[]}: the service's address on one network. */
    public static class VirtualIp {
        @com.fasterxml.jackson.annotation.JsonProperty("NetworkID")
        public String networkId;

        /** {@code 10.0.1.2/24} */
        public String addr;
    }

    public static class UpdateStatus {
        /** updating | paused | completed | rollback_started | rollback_paused | rollback_completed */
        public String state;

        public String startedAt;
        public String completedAt;
        public String message;
    }

    public static class RebalanceStatus {
        /** requested | completed */
        public String state;

        public String requestedAt;
        public String completedAt;
        public String message;
    }

    /** Whether the service asks to be rebalanced now: always ({@code io.skep.rebalance=auto}), or once. */
    @JsonIgnore
    public boolean wantsRebalance() {
        String label = spec == null || spec.labels == null ? null : spec.labels.get(ServiceSpec.REBALANCE_LABEL);
        return ServiceSpec.REBALANCE_AUTO.equals(label) || rebalanceRequested();
    }

    @JsonIgnore
    public boolean rebalanceRequested() {
        return rebalanceStatus != null && "requested".equals(rebalanceStatus.state);
    }

    public static class ServiceStatus {
        public long runningTasks;
        public long desiredTasks;
        public long completedTasks;
    }

    @JsonIgnore
    public String name() {
        return spec == null ? null : spec.name;
    }

    @JsonIgnore
    public boolean isGlobal() {
        return spec != null && spec.mode != null && spec.mode.global != null;
    }

    @JsonIgnore
    public long replicas() {
        if (spec == null
                || spec.mode == null
                || spec.mode.replicated == null
                || spec.mode.replicated.replicas == null) {
            return 1;
        }
        return spec.mode.replicated.replicas;
    }

    /** The task runtime this service needs, or {@code null} for each node's default ({@link ServiceSpec#runtime()}). */
    @JsonIgnore
    public String runtime() {
        return spec == null ? null : spec.runtime();
    }
}
