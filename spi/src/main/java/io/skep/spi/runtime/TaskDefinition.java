package io.skep.spi.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a runtime needs to prepare and run one task: an immutable value made with {@link #builder}. It is a
 * class with accessors rather than a record so that it can grow (new accessors with defaults) without breaking
 * plugins compiled against an older SPI. Only the task ID and the image are required; everything else has a
 * default: empty lists and maps, empty strings for "the runtime's default", {@code SIGTERM} and 10 s to stop.
 */
public final class TaskDefinition {

    /** The stop signal when a spec names none (Docker's). */
    public static final String DEFAULT_STOP_SIGNAL = "SIGTERM";
    /** The grace period after the stop signal when a spec names none (Docker's). */
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);

    private final String taskId;
    private final String taskName;
    private final String serviceId;
    private final String serviceName;
    private final int slot;
    private final String nodeId;
    private final String image;
    private final List<String> command;
    private final List<String> args;
    private final List<String> env;
    private final String workingDir;
    private final String user;
    private final String hostname;
    private final Map<String, String> labels;
    private final String stopSignal;
    private final Duration stopGracePeriod;
    private final TaskResources resources;
    private final List<NetworkAttachment> networks;
    private final List<String> dnsServers;
    private final List<TaskMount> mounts;
    private final List<TaskFile> files;

    private TaskDefinition(Builder b) {
        this.taskId = Objects.requireNonNull(b.taskId, "taskId");
        this.image = Objects.requireNonNull(b.image, "image");
        this.taskName = b.taskName;
        this.serviceId = b.serviceId;
        this.serviceName = b.serviceName;
        this.slot = b.slot;
        this.nodeId = b.nodeId;
        this.command = List.copyOf(b.command);
        this.args = List.copyOf(b.args);
        this.env = List.copyOf(b.env);
        this.workingDir = b.workingDir;
        this.user = b.user;
        this.hostname = b.hostname;
        this.labels = Map.copyOf(b.labels);
        this.stopSignal = b.stopSignal;
        this.stopGracePeriod = b.stopGracePeriod;
        this.resources = b.resources;
        this.networks = List.copyOf(b.networks);
        this.dnsServers = List.copyOf(b.dnsServers);
        this.mounts = List.copyOf(b.mounts);
        this.files = List.copyOf(b.files);
    }

    /** A builder of a task with this ID and image, all else defaulted. */
    public static Builder builder(String taskId, String image) {
        return new Builder(taskId, image);
    }

    /** A builder that starts from this definition (to change a field or two). */
    public Builder toBuilder() {
        Builder b = new Builder(taskId, image);
        b.taskName = taskName;
        b.serviceId = serviceId;
        b.serviceName = serviceName;
        b.slot = slot;
        b.nodeId = nodeId;
        b.command = command;
        b.args = args;
        b.env = env;
        b.workingDir = workingDir;
        b.user = user;
        b.hostname = hostname;
        b.labels = labels;
        b.stopSignal = stopSignal;
        b.stopGracePeriod = stopGracePeriod;
        b.resources = resources;
        b.networks = networks;
        b.dnsServers = dnsServers;
        b.mounts = mounts;
        b.files = files;
        return b;
    }

    /** The task's ID. */
    public String taskId() {
        return taskId;
    }

    /**
     * {@code <service>.<slot>.<task id>} (or {@code <service>.<node id>.<task id>} for global services), as Docker
     * names a task's container; empty when unknown.
     */
    public String taskName() {
        return taskName;
    }

    /** The service's ID, or empty. */
    public String serviceId() {
        return serviceId;
    }

    /** The service's name, or empty. */
    public String serviceName() {
        return serviceName;
    }

    /** The replica slot, 0 for a global service. */
    public int slot() {
        return slot;
    }

    /** The node the task runs on, or empty for the runtime's own node. */
    public String nodeId() {
        return nodeId;
    }

    /** The service's image; its meaning is the runtime's. */
    public String image() {
        return image;
    }

    /** The entrypoint override ({@code ContainerSpec.Command}), possibly empty. */
    public List<String> command() {
        return command;
    }

    /** The arguments ({@code ContainerSpec.Args}), possibly empty. */
    public List<String> args() {
        return args;
    }

    /** Environment entries {@code KEY=value}. */
    public List<String> env() {
        return env;
    }

    /** The working directory, or empty for the runtime's default. */
    public String workingDir() {
        return workingDir;
    }

    /** The user to run as, or empty for the runtime's default. */
    public String user() {
        return user;
    }

    /** The hostname, or empty. */
    public String hostname() {
        return hostname;
    }

    /** Labels to put on what the runtime creates. */
    public Map<String, String> labels() {
        return labels;
    }

    /** The signal that asks the task to stop ({@value #DEFAULT_STOP_SIGNAL} unless the spec names one). */
    public String stopSignal() {
        return stopSignal;
    }

    /** How long to wait after the stop signal before killing. */
    public Duration stopGracePeriod() {
        return stopGracePeriod;
    }

    /** The task's resource limits ({@link TaskResources#NONE} for none). */
    public TaskResources resources() {
        return resources;
    }

    /** The networks the task joins; a runtime without {@link RuntimeCapability#NETWORKS} ignores them. */
    public List<NetworkAttachment> networks() {
        return networks;
    }

    /**
     * The name servers the task is to resolve with (its {@code /etc/resolv.conf}), addresses as text; empty for the
     * node's own. A task on networks is given its node's service discovery server.
     */
    public List<String> dnsServers() {
        return dnsServers;
    }

    /**
     * The filesystems mounted into the task; a runtime without {@link RuntimeCapability#MOUNTS} refuses a spec
     * that has some (its provider's validate says so).
     */
    public List<TaskMount> mounts() {
        return mounts;
    }

    /**
     * The secrets' and configs' files of the task; a runtime without {@link RuntimeCapability#FILES} refuses a
     * spec that has some.
     */
    public List<TaskFile> files() {
        return files;
    }

    /** Names the task and its image, never the contents of its files or its environment. */
    @Override
    public String toString() {
        return "TaskDefinition[" + taskId + " " + (taskName.isEmpty() ? "" : taskName + " ") + "image=" + image
                + " command=" + command + " args=" + args + "]";
    }

    /** Builds a {@link TaskDefinition}; a null argument means the field's default. */
    public static final class Builder {
        private final String taskId;
        private final String image;
        private String taskName = "";
        private String serviceId = "";
        private String serviceName = "";
        private int slot;
        private String nodeId = "";
        private List<String> command = List.of();
        private List<String> args = List.of();
        private List<String> env = List.of();
        private String workingDir = "";
        private String user = "";
        private String hostname = "";
        private Map<String, String> labels = Map.of();
        private String stopSignal = DEFAULT_STOP_SIGNAL;
        private Duration stopGracePeriod = DEFAULT_STOP_GRACE;
        private TaskResources resources = TaskResources.NONE;
        private List<NetworkAttachment> networks = List.of();
        private List<String> dnsServers = List.of();
        private List<TaskMount> mounts = List.of();
        private List<TaskFile> files = List.of();

        private Builder(String taskId, String image) {
            this.taskId = Objects.requireNonNull(taskId, "taskId");
            this.image = Objects.requireNonNull(image, "image");
        }

        public Builder taskName(String taskName) {
            this.taskName = orEmpty(taskName);
            return this;
        }

        /** The service's ID and name. */
        public Builder service(String serviceId, String serviceName) {
            this.serviceId = orEmpty(serviceId);
            this.serviceName = orEmpty(serviceName);
            return this;
        }

        public Builder slot(int slot) {
            this.slot = slot;
            return this;
        }

        public Builder nodeId(String nodeId) {
            this.nodeId = orEmpty(nodeId);
            return this;
        }

        public Builder command(List<String> command) {
            this.command = command == null ? List.of() : command;
            return this;
        }

        public Builder args(List<String> args) {
            this.args = args == null ? List.of() : args;
            return this;
        }

        public Builder env(List<String> env) {
            this.env = env == null ? List.of() : env;
            return this;
        }

        public Builder workingDir(String workingDir) {
            this.workingDir = orEmpty(workingDir);
            return this;
        }

        public Builder user(String user) {
            this.user = orEmpty(user);
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = orEmpty(hostname);
            return this;
        }

        public Builder labels(Map<String, String> labels) {
            this.labels = labels == null ? Map.of() : labels;
            return this;
        }

        /** The stop signal; null or empty for {@value #DEFAULT_STOP_SIGNAL}. */
        public Builder stopSignal(String stopSignal) {
            this.stopSignal = stopSignal == null || stopSignal.isEmpty() ? DEFAULT_STOP_SIGNAL : stopSignal;
            return this;
        }

        /** The grace period after the stop signal; null for 10 s. */
        public Builder stopGracePeriod(Duration stopGracePeriod) {
            this.stopGracePeriod = stopGracePeriod == null ? DEFAULT_STOP_GRACE : stopGracePeriod;
            return this;
        }

        public Builder resources(TaskResources resources) {
            this.resources = resources == null ? TaskResources.NONE : resources;
            return this;
        }

        public Builder networks(List<NetworkAttachment> networks) {
            this.networks = networks == null ? List.of() : networks;
            return this;
        }

        public Builder dnsServers(List<String> dnsServers) {
            this.dnsServers = dnsServers == null ? List.of() : dnsServers;
            return this;
        }

        public Builder mounts(List<TaskMount> mounts) {
            this.mounts = mounts == null ? List.of() : mounts;
            return this;
        }

        public Builder files(List<TaskFile> files) {
            this.files = files == null ? List.of() : files;
            return this;
        }

        public TaskDefinition build() {
            return new TaskDefinition(this);
        }

        private static String orEmpty(String s) {
            return s == null ? "" : s;
        }
    }
}
