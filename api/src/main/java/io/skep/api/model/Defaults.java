package io.skep.api.model;

import java.time.Duration;

/**
 * Swarm's defaults (swarmkit {@code api/defaults}), applied where a spec leaves a field out.
 */
public final class Defaults {
    /** Docker's default address pool for swarm networks ({@code --default-addr-pool}). */
    public static final String ADDRESS_POOL = "10.0.0.0/8";

    public static final long TASK_HISTORY_RETENTION_LIMIT = 5;
    /** Swarm's node certificate validity ({@code CAConfig.NodeCertExpiry}). */
    public static final java.time.Duration NODE_CERT_EXPIRY = java.time.Duration.ofDays(90);
    /** Swarm's agent heartbeat period ({@code Dispatcher.HeartbeatPeriod}); a node is down after 3 missed. */
    public static final java.time.Duration HEARTBEAT_PERIOD = java.time.Duration.ofSeconds(5);

    public static final String RESTART_CONDITION = "any";
    public static final Duration RESTART_DELAY = Duration.ofSeconds(5);
    public static final Duration STOP_GRACE_PERIOD = Duration.ofSeconds(10);
    public static final Duration UPDATE_MONITOR = Duration.ofSeconds(5);

    private Defaults() {}

    public static String restartCondition(TaskSpec spec) {
        TaskSpec.RestartPolicy policy = spec == null ? null : spec.restartPolicy;
        return policy == null || policy.condition == null || policy.condition.isEmpty()
                ? RESTART_CONDITION
                : policy.condition;
    }

    public static Duration restartDelay(TaskSpec spec) {
        TaskSpec.RestartPolicy policy = spec == null ? null : spec.restartPolicy;
        return policy == null || policy.delay == null ? RESTART_DELAY : Duration.ofNanos(policy.delay);
    }

    /** 0 means unlimited. */
    public static long restartMaxAttempts(TaskSpec spec) {
        TaskSpec.RestartPolicy policy = spec == null ? null : spec.restartPolicy;
        return policy == null || policy.maxAttempts == null ? 0 : policy.maxAttempts;
    }

    /** Zero means unbounded. */
    public static Duration restartWindow(TaskSpec spec) {
        TaskSpec.RestartPolicy policy = spec == null ? null : spec.restartPolicy;
        return policy == null || policy.window == null ? Duration.ZERO : Duration.ofNanos(policy.window);
    }

    public static Duration stopGracePeriod(TaskSpec spec) {
        TaskSpec.ContainerSpec c = spec == null ? null : spec.containerSpec;
        return c == null || c.stopGracePeriod == null ? STOP_GRACE_PERIOD : Duration.ofNanos(c.stopGracePeriod);
    }

    /** Fills the defaults {@code GET /services/{id}?insertDefaults=true} shows, as dockerd does. */
    public static ServiceSpec withDefaults(ServiceSpec spec) {
        ServiceSpec s = Json.copy(spec);
        if (s.taskTemplate == null) {
            s.taskTemplate = new TaskSpec();
        }
        if (s.taskTemplate.containerSpec == null) {
            s.taskTemplate.containerSpec = new TaskSpec.ContainerSpec();
        }
        if (s.taskTemplate.containerSpec.stopGracePeriod == null) {
            s.taskTemplate.containerSpec.stopGracePeriod = STOP_GRACE_PERIOD.toNanos();
        }
        TaskSpec.RestartPolicy r =
                s.taskTemplate.restartPolicy == null ? new TaskSpec.RestartPolicy() : s.taskTemplate.restartPolicy;
        s.taskTemplate.restartPolicy = r;
        if (r.condition == null) {
            r.condition = RESTART_CONDITION;
        }
        if (r.delay == null) {
            r.delay = RESTART_DELAY.toNanos();
        }
        if (r.maxAttempts == null) {
            r.maxAttempts = 0L;
        }
        s.updateConfig = updateDefaults(s.updateConfig);
        s.rollbackConfig = updateDefaults(s.rollbackConfig);
        return s;
    }

    private static ServiceSpec.UpdateConfig updateDefaults(ServiceSpec.UpdateConfig in) {
        ServiceSpec.UpdateConfig u = in == null ? new ServiceSpec.UpdateConfig() : in;
        if (u.parallelism == null) {
            u.parallelism = 1L;
        }
        if (u.failureAction == null) {
            u.failureAction = "pause";
        }
        if (u.monitor == null) {
            u.monitor = UPDATE_MONITOR.toNanos();
        }
        if (u.maxFailureRatio == null) {
            u.maxFailureRatio = 0.0;
        }
        if (u.order == null) {
            u.order = "stop-first";
        }
        return u;
    }
}
