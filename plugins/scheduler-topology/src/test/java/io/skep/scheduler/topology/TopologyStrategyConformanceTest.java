package io.skep.scheduler.topology;

import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerStrategy;
import io.skep.spi.tck.SchedulerStrategyConformance;

import java.util.List;

/** The topology strategy against the scheduler conformance kit of the SPI, with two levels of preferences. */
class TopologyStrategyConformanceTest extends SchedulerStrategyConformance {

    @Override
    protected SchedulerStrategy strategy() {
        return new TopologyStrategy();
    }

    @Override
    protected PlacementRequest request(String serviceId, int taskCount) {
        return new PlacementRequest(serviceId, taskCount, List.of("node.labels.az", "node.labels.rack"));
    }

    /** Branches are ordered by value and the spread inside breaks ties by node ID. */
    @Override
    protected boolean independentOfCandidateOrder() {
        return true;
    }
}
