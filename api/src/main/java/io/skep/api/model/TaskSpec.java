package io.skep.api.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/** {@code TaskSpec}: the template every task of a service is made from. */
public class TaskSpec extends Extensible {
    public ContainerSpec containerSpec;
    public Resources resources;
    public RestartPolicy restartPolicy;
    public Placement placement;
    public Long forceUpdate;
    /** The networks its tasks attach to; the API resolves each {@code Target} to the network's ID. */
    public List<NetworkAttachmentConfig> networks;

    /** {@code TaskTemplate.Networks[]}. */
    public static class NetworkAttachmentConfig extends Extensible {
        public String target;
        public List<String> aliases;
        public Map<String, String> driverOpts;
    }

    /**
     * The node attributes the placement preferences spread over ({@code --placement-pref spread=...}), in
     * decreasing precedence; empty when there are none.
     */
    @JsonIgnore
    public List<String> spreadDescriptors() {
        if (placement == null || placement.preferences == null) {
            return List.of();
        }
        return placement.preferences.stream()
                .filter(p -> p.spread != null && p.spread.spreadDescriptor != null)
                .map(p -> p.spread.spreadDescriptor)
                .toList();
    }

    public static class ContainerSpec extends Extensible {
        public String image;
        public Map<String, String> labels;
        public List<String> command;
        public List<String> args;
        public String hostname;
        public List<String> env;
        public String dir;
        public String user;
        public String stopSignal;
        public Long stopGracePeriod;
    }

    /**
     * {@code Resources}: limits are enforced by the runtime; reservations are what the scheduler sets aside on a
     * node for each task (generic resources are kept as sent).
     */
    public static class Resources extends Extensible {
        public Limits limits;
        public Reservations reservations;
    }

    public static class Reservations extends Extensible {
        public Long nanoCPUs;
        public Long memoryBytes;
    }

    public static class Limits extends Extensible {
        public Long nanoCPUs;
        public Long memoryBytes;
        public Long pids;
    }

    public static class RestartPolicy extends Extensible {
        /** none | on-failure | any */
        public String condition;

        public Long delay;
        public Long maxAttempts;
        public Long window;
    }

    public static class Placement extends Extensible {
        public List<String> constraints;
        public List<Preference> preferences;
        /** {@code --replicas-max-per-node}: at most this many of the service's tasks on one node; 0 or none: no limit. */
        public Long maxReplicas;
    }

    public static class Preference extends Extensible {
        public Spread spread;
    }

    public static class Spread extends Extensible {
        public String spreadDescriptor;
    }
}
