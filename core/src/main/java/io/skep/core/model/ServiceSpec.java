package io.skep.core.model;

import java.util.List;
import java.util.Map;

/** {@code ServiceSpec}: what a user asks for. Unknown fields are kept as sent. */
public class ServiceSpec extends Extensible {
    /** The service label that names the task runtime a service needs ({@code --runtime}). */
    public static final String RUNTIME_LABEL = "io.skep.runtime";

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
    public static class Global extends Extensible {
    }

    public static class UpdateConfig extends Extensible {
        public Long parallelism;
        public Long delay;
        public String failureAction;
        public Long monitor;
        public Double maxFailureRatio;
        public String order;
    }

    public static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }
}
