package io.skep.spi.scheduler;

import io.skep.spi.Plugin;

/**
 * A vendor's feasibility check, beside the core's own (ready, resources, runtime, constraints, host ports, replicas
 * per node), as a filter of swarmkit's pipeline ({@code manager/scheduler/filter.go}). The core runs every loaded
 * filter that {@link #appliesTo applies} after its own, on each node that passed those; a node any filter refuses
 * gets no task of the request.
 *
 * <p>When no node is left, the task stays pending and its message says, per filter, on how many nodes it said no,
 * as swarmkit composes it: {@code no suitable node (insufficient resources on 1 node: memory; <explanation> on 2
 * nodes)}, which {@code service ps --no-trunc} shows. Filters must be fast and free of side effects: the core calls
 * them on the leader for every node of every batch it schedules.
 */
public interface SchedulerFilter extends Plugin {

    /**
     * Whether this filter has anything to say about the request (swarmkit's {@code SetTask}); when not, it is not
     * asked about any node for it.
     */
    boolean appliesTo(PlacementRequest request);

    /**
     * Whether a task of the request may go to the node (swarmkit's {@code Check}). The node passed the core's
     * filters; its {@link NodeCandidate#capacity() capacity} is what they leave room for.
     */
    boolean accepts(PlacementRequest request, NodeCandidate node);

    /**
     * Why this filter refuses nodes, without the count, which the core appends ({@code " on 2 nodes"}): e.g.
     * {@code "node labelled binpack.skip=true"}. Swarmkit's {@code Explain}.
     */
    String explanation();
}
