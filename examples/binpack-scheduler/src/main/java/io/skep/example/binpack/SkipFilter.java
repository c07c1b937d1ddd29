package io.skep.example.binpack;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerFilter;
import io.skep.spi.scheduler.SchedulerStrategy;

/** Keeps bin-packed services off the nodes an operator labelled {@code binpack.skip=true}. */
public final class SkipFilter implements SchedulerFilter {

    @Override
    public String name() {
        return "binpack-skip";
    }

    @Override
    public String description() {
        return "bin-packed services stay off nodes labelled binpack.skip=true";
    }

    @Override
    public boolean appliesTo(PlacementRequest request) {
        return "binpack".equals(request.serviceLabels().get(SchedulerStrategy.SERVICE_LABEL));
    }

    @Override
    public boolean accepts(PlacementRequest request, NodeCandidate node) {
        return !"true".equals(node.attribute("node.labels.binpack.skip"));
    }

    @Override
    public String explanation() {
        return "node labelled binpack.skip=true";
    }
}
