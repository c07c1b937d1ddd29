package io.skep.api.model;

import java.util.List;
import java.util.Map;

/** A node of the swarm, as {@code GET /nodes} shows it. */
public class Node extends StoredObject {
    public Spec spec = new Spec();
    public Description description = new Description();
    public Status status = new Status();
    public ManagerStatus managerStatus;

    public static class Spec extends Extensible {
        public String name;
        public Map<String, String> labels;
        /** worker | manager */
        public String role;
        /** active | pause | drain */
        public String availability;
    }

    public static class Description extends Extensible {
        public String hostname;
        public Platform platform;
        public Resources resources;
        public Engine engine;
        /** The issuer of the node's certificate and the root it was given: what a root CA rotation waits on. */
        @com.fasterxml.jackson.annotation.JsonProperty("TLSInfo")
        public TlsInfo tlsInfo;
    }

    public static class Platform {
        public String architecture;
        public String OS;
    }

    public static class Resources {
        public Long nanoCPUs;
        public Long memoryBytes;
    }

    public static class Engine extends Extensible {
        public String engineVersion;
        public Map<String, String> labels;
        public List<PluginDescription> plugins;
    }

    /** A plugin a node has; skep lists its task runtimes here as type {@code Runtime}. */
    public static class PluginDescription {
        public String type;
        public String name;

        public PluginDescription() {}

        public PluginDescription(String type, String name) {
            this.type = type;
            this.name = name;
        }
    }

    public static class Status {
        /** unknown | down | ready | disconnected */
        public String state;

        public String message;
        public String addr;
    }

    public static class ManagerStatus {
        public Boolean leader;
        public String reachability;
        public String addr;
    }

    public static final String RUNTIME_PLUGIN_TYPE = "Runtime";

    /** The runtimes this node advertises. */
    public List<String> runtimes() {
        if (description == null || description.engine == null || description.engine.plugins == null) {
            return List.of();
        }
        return description.engine.plugins.stream()
                .filter(p -> RUNTIME_PLUGIN_TYPE.equals(p.type))
                .map(p -> p.name)
                .toList();
    }

    public boolean isReady() {
        return status != null && "ready".equals(status.state);
    }

    public String availability() {
        return spec == null || spec.availability == null ? "active" : spec.availability;
    }

    public String hostname() {
        return description == null ? null : description.hostname;
    }
}
