package io.skep.api.model;

import java.util.Map;

/** {@code ServiceSpec}: what a user asks for. Unknown fields are kept as sent. */
public class ServiceSpec extends Extensible {
    /** The service label that names the task runtime a service needs ({@code --runtime}). */
    public static final String RUNTIME_LABEL = "io.skep.runtime";
    /**
     * {@code io.skep.rebalance=auto}: when nodes join or return, move the service's tasks (within its update
     * parallelism) until its spread is even again. Swarm never moves running tasks; skep does so only on request.
     */
    public static final String REBALANCE_LABEL = "io.skep.rebalance";

    public static final String REBALANCE_AUTO = "auto";

    public String name;
    public Map<String, String> labels;
    public TaskSpec taskTemplate;
    public ServiceMode mode;
    public UpdateConfig updateConfig;
    public UpdateConfig rollbackConfig;
    public EndpointSpec endpointSpec;

    public static class ServiceMode extends Extensible {
        public Replicated replicated;
        public Global global;
    }

    public static class Replicated extends Extensible {
        public Long replicas;
    }

    /** Global mode carries no settings: {@code "Global": {}}. */
    public static class Global extends Extensible {}

    public static class UpdateConfig extends Extensible {
        public Long parallelism;
        public Long delay;
        public String failureAction;
        public Long monitor;
        public Double maxFailureRatio;
        public String order;
    }

    /** The image that means "the host's own filesystem": only the process runtime runs it. */
    public static final String HOST_IMAGE = "host";

    public static final String PROCESS_RUNTIME = "process";

    /**
     * The task runtime this spec needs: the one its {@code io.skep.runtime} label names; else {@code process}
     * for the image {@code host} (as the docker CLI may spell it: {@code host:latest}), which no other runtime
     * runs; else {@code null}, each node's default (docker where an engine answers, process otherwise).
     */
    public String runtime() {
        String named = labels == null ? null : labels.get(RUNTIME_LABEL);
        if (named != null) {
            return named;
        }
        String image =
                taskTemplate == null || taskTemplate.containerSpec == null ? null : taskTemplate.containerSpec.image;
        if (image != null) {
            String name = image.replaceFirst("^(docker\\.io/)?(library/)?", "");
            if (name.equals(HOST_IMAGE) || name.equals(HOST_IMAGE + ":latest")) {
                return PROCESS_RUNTIME;
            }
        }
        return null;
    }
}
