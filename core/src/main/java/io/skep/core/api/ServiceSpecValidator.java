package io.skep.core.api;

import io.skep.core.model.Defaults;
import io.skep.core.model.Json;
import io.skep.core.model.Node;
import io.skep.core.model.ServiceSpec;
import io.skep.core.model.TaskSpec;
import io.skep.core.scheduler.Constraint;
import io.skep.spi.runtime.TaskLaunch;
import io.skep.spi.runtime.TaskRuntimeProvider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private static final List<String> ADJECTIVES = List.of("brave", "calm", "eager", "gentle", "happy", "jolly",
            "keen", "lucid", "nifty", "quirky", "serene", "vibrant");
    private static final List<String> NAMES = List.of("babbage", "curie", "dijkstra", "hopper", "knuth", "lamport",
            "liskov", "lovelace", "noether", "ritchie", "turing", "wozniak");

    private ServiceSpecValidator() {
    }

    static String randomName() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return ADJECTIVES.get(r.nextInt(ADJECTIVES.size())) + "_" + NAMES.get(r.nextInt(NAMES.size()));
    }

    /**
     * Validates {@code spec} and fills Swarm's required defaults in place (replicated mode with one replica).
     *
     * @param nodes the swarm's nodes: a runtime one of them advertises is known even if this image lacks it
     */
    static void validate(ServiceSpec spec, NodeContext node, List<Node> nodes) {
        if (spec.name == null || spec.name.isEmpty()) {
            throw ApiException.badRequest("invalid Name: a service needs a name");
        }
        if (!NAME.matcher(spec.name).matches()) {
            throw ApiException.badRequest("invalid Name \"" + spec.name + "\": a service name is 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        if (spec.taskTemplate == null || spec.taskTemplate.containerSpec == null) {
            throw ApiException.badRequest("invalid TaskTemplate.ContainerSpec: a service needs a container spec");
        }
        TaskSpec.ContainerSpec c = spec.taskTemplate.containerSpec;
        if (c.image == null || c.image.isBlank()) {
            throw ApiException.badRequest("invalid TaskTemplate.ContainerSpec.Image: image reference must be provided");
        }
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
            if (spec.mode.replicated.replicas < 0) {
                throw ApiException.badRequest("invalid Mode.Replicated.Replicas: must be 0 or more, got "
                        + spec.mode.replicated.replicas);
            }
        }
        TaskSpec.RestartPolicy r = spec.taskTemplate.restartPolicy;
        if (r != null) {
            if (r.condition != null && !r.condition.isEmpty() && !CONDITIONS.contains(r.condition)) {
                throw ApiException.badRequest("invalid TaskTemplate.RestartPolicy.Condition \"" + r.condition
                        + "\": expected none, on-failure or any");
            }
            nonNegative(r.delay, "TaskTemplate.RestartPolicy.Delay");
            nonNegative(r.maxAttempts, "TaskTemplate.RestartPolicy.MaxAttempts");
            nonNegative(r.window, "TaskTemplate.RestartPolicy.Window");
        }
        nonNegative(c.stopGracePeriod, "TaskTemplate.ContainerSpec.StopGracePeriod");
        TaskSpec.Limits limits = spec.taskTemplate.resources == null ? null : spec.taskTemplate.resources.limits;
        if (limits != null) {
            nonNegative(limits.nanoCPUs, "TaskTemplate.Resources.Limits.NanoCPUs");
            nonNegative(limits.memoryBytes, "TaskTemplate.Resources.Limits.MemoryBytes");
            nonNegative(limits.pids, "TaskTemplate.Resources.Limits.Pids");
        }
        TaskSpec.Reservations reservations = spec.taskTemplate.resources == null ? null
                : spec.taskTemplate.resources.reservations;
        if (reservations != null) {
            nonNegative(reservations.nanoCPUs, "TaskTemplate.Resources.Reservations.NanoCPUs");
            nonNegative(reservations.memoryBytes, "TaskTemplate.Resources.Reservations.MemoryBytes");
        }
        if (spec.updateConfig != null) {
            nonNegative(spec.updateConfig.parallelism, "UpdateConfig.Parallelism");
            nonNegative(spec.updateConfig.delay, "UpdateConfig.Delay");
            nonNegative(spec.updateConfig.monitor, "UpdateConfig.Monitor");
        }
        if (spec.taskTemplate.placement != null) {
            nonNegative(spec.taskTemplate.placement.maxReplicas, "TaskTemplate.Placement.MaxReplicas");
            if (spec.mode.global != null && spec.taskTemplate.placement.maxReplicas != null
                    && spec.taskTemplate.placement.maxReplicas > 0) {
                throw ApiException.badRequest("invalid TaskTemplate.Placement.MaxReplicas: "
                        + "replicas-max-per-node can only be used with replicated mode");
            }
            try {
                Constraint.parseAll(spec.taskTemplate.placement.constraints);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid TaskTemplate.Placement.Constraints: " + e.getMessage());
            }
        }
        validateRuntime(spec, node, nodes);
    }

    private static void nonNegative(Long value, String field) {
        if (value != null && value < 0) {
            throw ApiException.badRequest("invalid " + field + ": must be 0 or more, got " + value);
        }
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
        TaskSpec.ContainerSpec c = spec.taskTemplate.containerSpec;
        TaskLaunch probe = new TaskLaunch("validation", spec.name + ".1", "validation", spec.name, 1, node.nodeId(),
                c.image, orEmpty(c.command), orEmpty(c.args), orEmpty(c.env), c.dir, c.user, c.hostname,
                c.labels == null ? Map.of() : c.labels, c.stopSignal,
                c.stopGracePeriod == null ? null : Duration.ofNanos(c.stopGracePeriod),
                Defaults.limits(spec.taskTemplate));
        provider.get().validate(probe).ifPresent(reason -> {
            throw ApiException.badRequest("invalid TaskTemplate.ContainerSpec for runtime \"" + runtime + "\": " + reason);
        });
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    static ServiceSpec copy(ServiceSpec spec) {
        return Json.copy(spec);
    }
}
