package io.skep.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The swarm itself: its spec, root CA and join tokens ({@code GET /swarm}). */
public class Cluster extends StoredObject {
    /** {@code JoinTokens}: the key of a secret of the API's answer. */
    public static final String JOIN_TOKENS = "JoinTokens";
    /** {@code RootCA}: the key of what the API never shows. */
    public static final String ROOT_CA = "RootCA";
    /** {@code RootRotation}: likewise (it holds a key). */
    public static final String ROOT_ROTATION = "RootRotation";
    /** {@code RemovedNodes}: likewise. */
    public static final String REMOVED_NODES = "RemovedNodes";
    /** {@code UnlockKey}: likewise, but for {@code GET /swarm/unlockkey}. */
    public static final String UNLOCK_KEY = "UnlockKey";

    public SwarmSpec spec;
    /** Worker and Manager: {@code SWMTKN-1-<root CA digest>-<secret>}. */
    public Map<String, String> joinTokens;

    @JsonProperty("TLSInfo")
    public TlsInfo tlsInfo;
    /** The root CA's certificate and key, PEM: kept in the store, left out of every API answer. */
    @JsonProperty(ROOT_CA)
    public CaKeys rootCa;
    /**
     * The managers' unlock key ({@code SWMKEY-1-…}) while {@code Spec.EncryptionConfig.AutoLockManagers} is on, else
     * null: kept in the store (sealed on disk with everything else), shown only by {@code GET /swarm/unlockkey}.
     */
    @JsonProperty(UNLOCK_KEY)
    public String unlockKey;
    /**
     * Nodes removed from the swarm ({@code node rm}), by node ID, with when their last certificate expires at the
     * latest: until then a certificate of theirs opens nothing, on any port of any manager (swarmkit's
     * BlacklistedCertificates). Kept in the store, left out of the API's answers.
     */
    @JsonProperty(REMOVED_NODES)
    public Map<String, String> removedNodes;

    public Boolean rootRotationInProgress = false;
    /** The prefixes networks without a subnet of their own get theirs from (Docker's default: 10.0.0.0/8). */
    public List<String> defaultAddrPool = new java.util.ArrayList<>(List.of(Defaults.ADDRESS_POOL));
    /** The prefix length of a subnet taken from {@link #defaultAddrPool} (Docker's default: 24). */
    public Long subnetSize = 24L;

    public Long dataPathPort = 4789L;

    /**
     * A root CA rotation under way: the new root's certificate and key, and the new root's certificate signed by the
     * current root, which nodes that trust only the current root follow to it. Never shown by the API.
     */
    public static class RootRotation extends CaKeys {
        @JsonProperty("CrossSignedCACert")
        public String crossSignedCaCert;
    }

    /** The rotation under way, or null. */
    @JsonProperty(ROOT_ROTATION)
    public RootRotation rootRotation;
    /** The last {@code Spec.CAConfig.ForceRotate} acted on (a new value asks for a new root). */
    @JsonProperty("LastForcedRotation")
    public Long lastForcedRotation;

    public static class CaKeys {
        @JsonProperty("CACert")
        public String caCert;

        @JsonProperty("CAKey")
        public String caKey;
    }

    /** The swarm's settings; only what skep acts on is typed, the rest is kept as sent. */
    public static class SwarmSpec extends Extensible {
        public String name;
        public Map<String, String> labels;
        public Orchestration orchestration;
    }

    public static class Orchestration extends Extensible {
        /** Tasks kept per slot, the running one included. Swarm's default: 5. */
        public Long taskHistoryRetentionLimit;
    }

    /** {@code Spec.Dispatcher.HeartbeatPeriod}, or Swarm's default of 5 s when unset or zero. */
    public java.time.Duration heartbeatPeriod() {
        return duration("Dispatcher", "HeartbeatPeriod", Defaults.HEARTBEAT_PERIOD);
    }

    /** {@code Spec.CAConfig.NodeCertExpiry}, or Swarm's default of 90 days when unset or zero. */
    public java.time.Duration nodeCertExpiry() {
        return duration("CAConfig", "NodeCertExpiry", Defaults.NODE_CERT_EXPIRY);
    }

    /** A duration of the spec, in nanoseconds as Docker sends them, or {@code otherwise} when unset or zero. */
    private java.time.Duration duration(String section, String field, java.time.Duration otherwise) {
        Object settings = spec == null ? null : spec.other().get(section);
        if (settings instanceof Map<?, ?> m && m.get(field) instanceof Number n && n.longValue() > 0) {
            return java.time.Duration.ofNanos(n.longValue());
        }
        return otherwise;
    }

    /** {@code Spec.EncryptionConfig.AutoLockManagers}: whether a restarted manager waits for the unlock key. */
    public boolean autoLockManagers() {
        Object settings = spec == null ? null : spec.other().get("EncryptionConfig");
        return settings instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("AutoLockManagers"));
    }

    /**
     * The roots nodes trust now, PEM, one after another: the current root, and during a rotation the new one too
     * (nodes still on the current root's certificates and nodes on the new one's must accept each other).
     */
    public String trustRootsPem() {
        return rootRotation == null ? rootCa.caCert : rootCa.caCert + rootRotation.caCert;
    }

    /** The root whose key signs node certificates now: the new one during a rotation. */
    public CaKeys signingRoot() {
        return rootRotation == null ? rootCa : rootRotation;
    }

    /** Whether {@code nodeId} was removed from the swarm and a certificate of it may still be valid. */
    public boolean removed(String nodeId) {
        String until = removedNodes == null ? null : removedNodes.get(nodeId);
        return until != null && java.time.Instant.now().isBefore(java.time.Instant.parse(until));
    }

    /**
     * {@code Spec.Orchestration.TaskHistoryRetentionLimit}, or Swarm's default of 5 when unset or negative (the API
     * refuses a negative one; a store written before it did may hold one).
     */
    public long taskHistoryLimit() {
        Long limit = spec == null || spec.orchestration == null ? null : spec.orchestration.taskHistoryRetentionLimit;
        return limit == null || limit < 0 ? Defaults.TASK_HISTORY_RETENTION_LIMIT : Math.min(limit, Integer.MAX_VALUE);
    }
}
