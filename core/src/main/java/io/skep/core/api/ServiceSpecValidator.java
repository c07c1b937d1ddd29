package io.skep.core.api;

import io.skep.api.model.EndpointSpec;
import io.skep.api.model.Json;
import io.skep.api.model.Network;
import io.skep.api.model.Node;
import io.skep.api.model.PortConfig;
import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.api.model.TaskSpec;
import io.skep.core.plugins.RuntimeSpecs;
import io.skep.core.scheduler.Constraint;
import io.skep.core.store.MemoryStore;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskRuntimeProvider;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Checks and completes a service spec before it is stored. Every refusal names the field and the reason.
 */
final class ServiceSpecValidator {
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,62})$");
    private static final Set<String> CONDITIONS = Set.of("none", "on-failure", "any");
    private static final Set<String> UPDATE_FAILURE_ACTIONS = Set.of("pause", "continue", "rollback");
    private static final Set<String> ROLLBACK_FAILURE_ACTIONS = Set.of("pause", "continue");
    private static final Set<String> ORDERS = Set.of("stop-first", "start-first");
    private static final Set<String> ENDPOINT_MODES = Set.of("vip", "dnsrr");
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");
    private static final Set<String> PUBLISH_MODES = Set.of("ingress", "host");
    /** An image reference: no whitespace or control characters (the runtime that runs it checks the rest). */
    private static final Pattern IMAGE = Pattern.compile("[^\\s\\p{Cntrl}]+");
    /** Swarm's floors (swarmkit {@code validateResources}): a thousandth of a CPU, 4 MiB. */
    private static final long MIN_NANO_CPUS = 1_000_000;

    private static final long MIN_MEMORY_BYTES = 4L << 20;
    private static final List<String> ADJECTIVES = List.of(
            "brave", "calm", "eager", "gentle", "happy", "jolly", "keen", "lucid", "nifty", "quirky", "serene",
            "vibrant");
    private static final List<String> NAMES = List.of(
            "babbage",
            "curie",
            "dijkstra",
            "hopper",
            "knuth",
            "lamport",
            "liskov",
            "lovelace",
            "noether",
            "ritchie",
            "turing",
            "wozniak");

    private ServiceSpecValidator() {}

    static String randomName() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return ADJECTIVES.get(r.nextInt(ADJECTIVES.size())) + "_" + NAMES.get(r.nextInt(NAMES.size()));
    }

    /**
     * Validates {@code spec} and fills Swarm's required defaults in place (replicated mode with one replica): every
     * field skep reads, its type (Jackson refused a wrong one), its range and, for strings and lists, its size.
     *
     * @param nodes the swarm's nodes: a runtime one of them advertises is known even if this image lacks it
     */
    static void validate(ServiceSpec spec, NodeContext node, List<Node> nodes) {
        if (spec.name == null || spec.name.isEmpty()) {
            throw ApiException.badRequest("invalid Name: a service needs a name");
        }
        if (!NAME.matcher(spec.name).matches()) {
            throw ApiException.badRequest("invalid Name \"" + FieldChecks.shown(spec.name) + "\": a service name is 1 "
                    + "to 63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        FieldChecks.labels(spec.labels, "Labels");
        if (spec.taskTemplate == null || spec.taskTemplate.containerSpec == null) {
            throw ApiException.badRequest("invalid TaskTemplate.ContainerSpec: a service needs a container spec");
        }
        validateContainer(spec.taskTemplate.containerSpec);
        validateMode(spec);
        validateTask(spec);
        validateUpdate(spec.updateConfig, "UpdateConfig", UPDATE_FAILURE_ACTIONS);
        validateUpdate(spec.rollbackConfig, "RollbackConfig", ROLLBACK_FAILURE_ACTIONS);
        validateEndpoint(spec.endpointSpec);
        validateRuntime(spec, node, nodes);
    }

    private static void validateContainer(TaskSpec.ContainerSpec c) {
        String field = "TaskTemplate.ContainerSpec";
        if (c.image == null || c.image.isBlank()) {
            throw ApiException.badRequest("invalid " + field + ".Image: image reference must be provided");
        }
        FieldChecks.text(c.image, RequestLimits.NAME_LENGTH, field + ".Image");
        if (!IMAGE.matcher(c.image).matches()) {
            throw FieldChecks.invalid(
                    field + ".Image", "\"" + FieldChecks.shown(c.image) + "\" is not a valid repository/tag");
        }
        FieldChecks.labels(c.labels, field + ".Labels");
        FieldChecks.texts(c.command, RequestLimits.VALUE_LENGTH, field + ".Command");
        FieldChecks.texts(c.args, RequestLimits.VALUE_LENGTH, field + ".Args");
        FieldChecks.texts(c.env, RequestLimits.VALUE_LENGTH, field + ".Env");
        FieldChecks.text(c.hostname, RequestLimits.NAME_LENGTH, field + ".Hostname");
        FieldChecks.text(c.dir, RequestLimits.NAME_LENGTH, field + ".Dir");
        FieldChecks.text(c.user, RequestLimits.NAME_LENGTH, field + ".User");
        FieldChecks.text(c.stopSignal, RequestLimits.NAME_LENGTH, field + ".StopSignal");
        FieldChecks.nonNegative(c.stopGracePeriod, field + ".StopGracePeriod");
    }

    private static void validateMode(ServiceSpec spec) {
        if (spec.mode == null) {
            spec.mode = new ServiceSpec.ServiceMode();
        }
        if (spec.mode.replicated != null && spec.mode.global != null) {
            throw ApiException.badRequest("invalid Mode: a service is either Replicated or Global, not both");
        }
        if (spec.mode.global == null) {
            if (spec.mode.replicated == null) {
                spec.mode.replicated = new ServiceSpec.Replicated();
            }
            if (spec.mode.replicated.replicas == null) {
                spec.mode.replicated.replicas = 1L;
            }
            FieldChecks.range(
                    spec.mode.replicated.replicas,
                    0,
                    RequestLimits.REPLICAS_PER_SERVICE,
                    "Mode.Replicated.Replicas",
                    "replicas per service");
        }
    }

    private static void validateTask(ServiceSpec spec) {
        TaskSpec t = spec.taskTemplate;
        FieldChecks.nonNegative(t.forceUpdate, "TaskTemplate.ForceUpdate");
        TaskSpec.RestartPolicy r = t.restartPolicy;
        if (r != null) {
            FieldChecks.oneOf(r.condition, CONDITIONS, "TaskTemplate.RestartPolicy.Condition");
            FieldChecks.nonNegative(r.delay, "TaskTemplate.RestartPolicy.Delay");
            FieldChecks.nonNegative(r.maxAttempts, "TaskTemplate.RestartPolicy.MaxAttempts");
            FieldChecks.nonNegative(r.window, "TaskTemplate.RestartPolicy.Window");
        }
        if (t.resources != null) {
            TaskSpec.Limits limits = t.resources.limits;
            if (limits != null) {
                resources(limits.nanoCPUs, limits.memoryBytes, "TaskTemplate.Resources.Limits");
                FieldChecks.nonNegative(limits.pids, "TaskTemplate.Resources.Limits.Pids");
            }
            TaskSpec.Reservations reservations = t.resources.reservations;
            if (reservations != null) {
                resources(reservations.nanoCPUs, reservations.memoryBytes, "TaskTemplate.Resources.Reservations");
            }
        }
        TaskSpec.Placement placement = t.placement;
        if (placement != null) {
            FieldChecks.nonNegative(placement.maxReplicas, "TaskTemplate.Placement.MaxReplicas");
            if (spec.mode.global != null && placement.maxReplicas != null && placement.maxReplicas > 0) {
                throw ApiException.badRequest("invalid TaskTemplate.Placement.MaxReplicas: "
                        + "replicas-max-per-node can only be used with replicated mode");
            }
            FieldChecks.texts(placement.constraints, RequestLimits.NAME_LENGTH, "TaskTemplate.Placement.Constraints");
            try {
                Constraint.parseAll(placement.constraints);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid TaskTemplate.Placement.Constraints: " + e.getMessage());
            }
            List<TaskSpec.Preference> preferences = placement.preferences;
            if (preferences != null) {
                FieldChecks.entries(preferences.size(), "TaskTemplate.Placement.Preferences");
                for (int i = 0; i < preferences.size(); i++) {
                    String field = "TaskTemplate.Placement.Preferences[" + i + "].Spread.SpreadDescriptor";
                    TaskSpec.Preference p = preferences.get(i);
                    if (p == null
                            || p.spread == null
                            || p.spread.spreadDescriptor == null
                            || p.spread.spreadDescriptor.isBlank()) {
                        throw FieldChecks.invalid(
                                field, "a preference spreads over a node attribute " + "(node.labels.X), none given");
                    }
                    FieldChecks.text(p.spread.spreadDescriptor, RequestLimits.NAME_LENGTH, field);
                }
            }
        }
    }

    /** Swarm's floors for CPUs and memory (swarmkit's {@code validateResources}), where they are set. */
    private static void resources(Long nanoCPUs, Long memoryBytes, String field) {
        FieldChecks.nonNegative(nanoCPUs, field + ".NanoCPUs");
        FieldChecks.nonNegative(memoryBytes, field + ".MemoryBytes");
        if (nanoCPUs != null && nanoCPUs != 0 && nanoCPUs < MIN_NANO_CPUS) {
            throw FieldChecks.invalid(
                    field + ".NanoCPUs",
                    "invalid cpu value " + nanoCPUs / 1e9 + ": Must be at least " + MIN_NANO_CPUS / 1e9);
        }
        if (memoryBytes != null && memoryBytes != 0 && memoryBytes < MIN_MEMORY_BYTES) {
            throw FieldChecks.invalid(
                    field + ".MemoryBytes", "invalid memory value " + memoryBytes + ": Must be at least 4MiB");
        }
    }

    private static void validateUpdate(ServiceSpec.UpdateConfig u, String field, Set<String> failureActions) {
        if (u == null) {
            return;
        }
        FieldChecks.nonNegative(u.parallelism, field + ".Parallelism");
        FieldChecks.nonNegative(u.delay, field + ".Delay");
        FieldChecks.nonNegative(u.monitor, field + ".Monitor");
        if (u.maxFailureRatio != null && !(u.maxFailureRatio >= 0 && u.maxFailureRatio <= 1)) {
            throw FieldChecks.invalid(
                    field + ".MaxFailureRatio", "cannot be less than 0 or bigger than 1, got " + u.maxFailureRatio);
        }
        FieldChecks.oneOf(u.failureAction, failureActions, field + ".FailureAction");
        FieldChecks.oneOf(u.order, ORDERS, field + ".Order");
    }

    /**
     * Resolves each {@code TaskTemplate.Networks[].Target} (a name, an ID or an ID prefix, as the docker CLI and
     * {@code stack deploy} send it) to the network's ID, in place, keeping the aliases.
     */
    static void resolveNetworks(ServiceSpec spec, MemoryStore store) {
        List<TaskSpec.NetworkAttachmentConfig> networks = spec.taskTemplate.networks;
        if (networks == null) {
            return;
        }
        FieldChecks.entries(networks.size(), "TaskTemplate.Networks");
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < networks.size(); i++) {
            String field = "TaskTemplate.Networks[" + i + "]";
            TaskSpec.NetworkAttachmentConfig a = networks.get(i);
            if (a == null || a.target == null || a.target.isEmpty()) {
                throw FieldChecks.invalid(field + ".Target", "a network attachment names its network");
            }
            FieldChecks.text(a.target, RequestLimits.NAME_LENGTH, field + ".Target");
            FieldChecks.texts(a.aliases, RequestLimits.NAME_LENGTH, field + ".Aliases");
            Network n;
            try {
                n = Resolve.network(store, a.target);
            } catch (ApiException e) {
                throw FieldChecks.invalid(field + ".Target", e.getMessage());
            }
            if (Boolean.TRUE.equals(n.ingress)) {
                throw FieldChecks.invalid(
                        field + ".Target", "service cannot be explicitly attached to the ingress network " + n.name);
            }
            if (!seen.add(n.id)) {
                throw FieldChecks.invalid(field + ".Target", "network " + n.name + " is attached more than once");
            }
            a.target = n.id;
        }
    }

    /** Swarm's rules for published ports (swarmkit's {@code validateEndpointSpec}), and each field's range. */
    private static void validateEndpoint(EndpointSpec e) {
        if (e == null) {
            return;
        }
        FieldChecks.oneOf(e.mode, ENDPOINT_MODES, "EndpointSpec.Mode");
        if (e.ports == null) {
            return;
        }
        FieldChecks.entries(e.ports.size(), "EndpointSpec.Ports");
        Set<String> published = new java.util.HashSet<>();
        for (int i = 0; i < e.ports.size(); i++) {
            String field = "EndpointSpec.Ports[" + i + "]";
            PortConfig p = e.ports.get(i);
            if (p == null) {
                throw FieldChecks.invalid(field, "a port is an object, got null");
            }
            FieldChecks.text(p.name, RequestLimits.NAME_LENGTH, field + ".Name");
            FieldChecks.oneOf(p.protocol, PROTOCOLS, field + ".Protocol");
            FieldChecks.range(p.targetPort, 0, 65535, field + ".TargetPort", "");
            FieldChecks.range(p.publishedPort, 0, 65535, field + ".PublishedPort", "");
            FieldChecks.oneOf(p.publishMode, PUBLISH_MODES, field + ".PublishMode");
            boolean ingress = p.publishMode == null || p.publishMode.isEmpty() || p.publishMode.equals("ingress");
            if ("dnsrr".equals(e.mode) && ingress) {
                throw ApiException.badRequest(
                        "invalid " + field + ": port published with ingress mode can't be used " + "with dnsrr mode");
            }
            if (p.publishedPort != null
                    && p.publishedPort != 0
                    && !published.add(p.publishedPort + "/"
                            + (p.protocol == null || p.protocol.isEmpty() ? "tcp" : p.protocol))) {
                throw ApiException.badRequest(
                        "invalid EndpointSpec.Ports: duplicate published ports provided (" + p.publishedPort + ")");
            }
        }
    }

    /** The whole spec, as sent: it is written as one Raft entry (twice over on an update) and copied into every task. */
    static void checkSize(byte[] body) {
        if (body != null && body.length > RequestLimits.SPEC_BYTES) {
            throw ApiException.badRequest(
                    "invalid ServiceSpec: at most " + ListenerLimits.size(RequestLimits.SPEC_BYTES)
                            + " of JSON per service, got " + body.length + " bytes");
        }
    }

    /**
     * The swarm has room for the service: at most {@link RequestLimits#SERVICES} services, and the tasks all its
     * services ask for at most {@link RequestLimits#TASKS}. A change that asks for no more tasks than before always
     * passes (scaling down a swarm that is over a lowered limit).
     *
     * @param serviceId the service updated, or null for a new one
     */
    static void checkRoom(ServiceSpec spec, String serviceId, MemoryStore store) {
        List<Service> services = store.services();
        if (serviceId == null && services.size() >= RequestLimits.SERVICES) {
            throw ApiException.badRequest("invalid ServiceSpec: at most " + RequestLimits.SERVICES
                    + " services in the swarm, it has " + services.size());
        }
        long nodes = store.nodes().size();
        long others = 0;
        long before = 0;
        for (Service s : services) {
            if (s.id.equals(serviceId)) {
                before = desiredTasks(s.spec, nodes);
            } else {
                others += desiredTasks(s.spec, nodes);
            }
        }
        long asked = desiredTasks(spec, nodes);
        if (asked > before && others + asked > RequestLimits.TASKS) {
            throw ApiException.badRequest("invalid "
                    + (spec.mode.global != null ? "Mode.Global" : "Mode.Replicated.Replicas")
                    + ": at most " + RequestLimits.TASKS + " tasks in the swarm (the replicas of all its services); "
                    + "its other services ask for " + others + ", this one for " + asked);
        }
    }

    /**
     * Swarm's check that a published port is not another service's (swarmkit's {@code checkPortConflicts}): a port
     * published through the mesh is the whole swarm's, so no other service may publish it in either mode; a host-mode
     * port may be shared by services (the scheduler keeps their tasks apart), but not with a mesh port. The other
     * services' ports are read from their specs and from their endpoints (where the managers' picks are).
     *
     * @param serviceId the service updated, or null for a new one
     */
    static void checkPortConflicts(ServiceSpec spec, String serviceId, MemoryStore store) {
        Set<String> mesh = new java.util.HashSet<>();
        Set<String> host = new java.util.HashSet<>();
        if (spec.endpointSpec == null || spec.endpointSpec.ports == null) {
            return;
        }
        for (PortConfig p : spec.endpointSpec.ports) {
            if (p != null && p.publishedOrZero() > 0) {
                (p.throughMesh() ? mesh : host).add(portKey(p));
            }
        }
        if (mesh.isEmpty() && host.isEmpty()) {
            return;
        }
        for (Service other : store.services()) {
            if (other.id.equals(serviceId)) {
                continue;
            }
            List<PortConfig> theirs = new java.util.ArrayList<>();
            if (other.spec != null && other.spec.endpointSpec != null && other.spec.endpointSpec.ports != null) {
                theirs.addAll(other.spec.endpointSpec.ports);
            }
            if (other.endpoint != null && other.endpoint.ports != null) {
                theirs.addAll(other.endpoint.ports);
            }
            for (PortConfig p : theirs) {
                if (p == null || p.publishedOrZero() == 0) {
                    continue;
                }
                String key = portKey(p);
                boolean clash = p.throughMesh() ? mesh.contains(key) || host.contains(key) : mesh.contains(key);
                if (clash) {
                    throw ApiException.badRequest("port '" + p.publishedOrZero() + "' is already in use by service '"
                            + other.name() + "' (" + other.id + ") as "
                            + (p.throughMesh() ? "an ingress port" : "a host-published port"));
                }
            }
        }
    }

    private static String portKey(PortConfig p) {
        return p.protocolOrTcp() + "/" + p.publishedOrZero();
    }

    /** The tasks a service asks for: its replicas, or one per node. */
    private static long desiredTasks(ServiceSpec spec, long nodes) {
        if (spec.mode != null && spec.mode.global != null) {
            return nodes;
        }
        return spec.mode == null || spec.mode.replicated == null || spec.mode.replicated.replicas == null
                ? 1
                : Math.max(0, spec.mode.replicated.replicas);
    }

    /** The runtime a service needs must exist somewhere, and accept the spec where skep can check it. */
    private static void validateRuntime(ServiceSpec spec, NodeContext node, List<Node> nodes) {
        String named = spec.labels == null ? null : spec.labels.get(ServiceSpec.RUNTIME_LABEL);
        String field = named != null ? "Labels[" + ServiceSpec.RUNTIME_LABEL + "]" : "runtime";
        String runtime = spec.runtime() != null ? spec.runtime() : node.defaultRuntime();
        Set<String> installed = new TreeSet<>();
        node.plugins().runtimes().forEach(p -> installed.add(p.name()));
        if (runtime == null) {
            throw ApiException.badRequest("invalid " + field + ": no task runtime is installed in this image");
        }
        Optional<TaskRuntimeProvider> provider = node.plugins().runtime(runtime);
        if (provider.isEmpty()) {
            boolean elsewhere = nodes.stream().anyMatch(n -> n.runtimes().contains(runtime));
            if (!elsewhere) {
                throw ApiException.badRequest("invalid " + field + ": runtime \"" + runtime
                        + "\" is not installed in this image (installed runtimes: "
                        + (installed.isEmpty() ? "none" : String.join(", ", installed)) + ")");
            }
            return;
        }
        TaskDefinition probe = RuntimeSpecs.definition("validation", spec.taskTemplate)
                .taskName(spec.name + ".1")
                .service("validation", spec.name)
                .slot(1)
                .nodeId(node.nodeId())
                .build();
        provider.get().validate(probe).ifPresent(reason -> {
            throw ApiException.badRequest(
                    "invalid TaskTemplate.ContainerSpec for runtime \"" + runtime + "\": " + reason);
        });
    }

    static ServiceSpec copy(ServiceSpec spec) {
        return Json.copy(spec);
    }
}
