package io.skep.core.scheduler;

import io.skep.api.model.EndpointSpec;
import io.skep.api.model.PortConfig;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What every task of a group asks of a node, worked out once per group rather than once per node: its runtime,
 * constraints, reservations, host-mode ports and per-node replica limit.
 *
 * @param serviceId   the tasks' service
 * @param runtime     the runtime the tasks need, or null for any
 * @param constraints the placement constraints, parsed
 * @param nanoCpus    CPU reserved per task (10<sup>-9</sup> CPUs), 0 for none
 * @param memoryBytes memory reserved per task, 0 for none
 * @param hostPorts   the host-mode published ports, as {@code tcp/8080}
 * @param maxReplicas at most this many of the service's tasks on one node, 0 for no limit
 */
public record Demand(
        String serviceId,
        String runtime,
        List<Constraint> constraints,
        long nanoCpus,
        long memoryBytes,
        Set<String> hostPorts,
        long maxReplicas) {

    public Demand {
        constraints = List.copyOf(constraints);
        hostPorts = Set.copyOf(hostPorts);
    }

    /** A task's demand; {@code service} (may be null) gives the published ports. */
    public static Demand of(Task task, Service service) {
        TaskSpec spec = task.spec;
        TaskSpec.Reservations r = spec == null || spec.resources == null ? null : spec.resources.reservations;
        TaskSpec.Placement p = spec == null ? null : spec.placement;
        return new Demand(
                task.serviceId,
                task.runtime,
                Constraint.parseAll(p == null ? null : p.constraints),
                r == null || r.nanoCPUs == null ? 0 : r.nanoCPUs,
                r == null || r.memoryBytes == null ? 0 : r.memoryBytes,
                hostPorts(service),
                p == null || p.maxReplicas == null ? 0 : p.maxReplicas);
    }

    /** The host-mode ports a service publishes on each node its tasks run on. */
    static Set<String> hostPorts(Service service) {
        EndpointSpec e = service == null || service.spec == null ? null : service.spec.endpointSpec;
        Set<String> ports = new TreeSet<>();
        if (e != null && e.ports != null) {
            for (PortConfig p : e.ports) {
                if ("host".equals(p.publishMode) && p.publishedPort != null && p.publishedPort > 0) {
                    ports.add((p.protocol == null ? "tcp" : p.protocol) + "/" + p.publishedPort);
                }
            }
        }
        return ports;
    }

    boolean reserves() {
        return nanoCpus > 0 || memoryBytes > 0;
    }
}
