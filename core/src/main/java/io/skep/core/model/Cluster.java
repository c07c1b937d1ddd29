package io.skep.core.model;

import java.util.Map;

/** The swarm itself: its spec and join tokens ({@code GET /swarm}). */
public class Cluster extends StoredObject {
    public SwarmSpec spec;
    public Map<String, String> joinTokens;
    public Boolean rootRotationInProgress = false;
    public Long subnetSize = 24L;
    public Long dataPathPort = 4789L;

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

    public long taskHistoryLimit() {
        Long limit = spec == null || spec.orchestration == null ? null : spec.orchestration.taskHistoryRetentionLimit;
        return limit == null ? Defaults.TASK_HISTORY_RETENTION_LIMIT : limit;
    }
}
