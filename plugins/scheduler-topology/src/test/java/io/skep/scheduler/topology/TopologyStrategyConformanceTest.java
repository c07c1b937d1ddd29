package io.skep.scheduler.topology;

import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerContext;
import io.skep.spi.scheduler.SchedulerStrategy;
import io.skep.spi.tck.SchedulerStrategyConformance;
import java.util.List;
import java.util.ServiceLoader;

/** The topology strategy against the scheduler conformance kit of the SPI, with two levels of preferences. */
class TopologyStrategyConformanceTest extends SchedulerStrategyConformance {

    @Override
    protected SchedulerStrategy strategy() {
        return asLoaded();
    }

    /** The strategy as a node starts it: told of the strategies loaded beside it (here the built-in spread). */
    static TopologyStrategy asLoaded() {
        TopologyStrategyConformanceTest.class.getModule().addUses(SchedulerStrategy.class);
        TopologyStrategy topology = new TopologyStrategy();
        List<SchedulerStrategy> loaded = ServiceLoader.load(SchedulerStrategy.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        topology.init(new SchedulerContext(loaded));
        return topology;
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
