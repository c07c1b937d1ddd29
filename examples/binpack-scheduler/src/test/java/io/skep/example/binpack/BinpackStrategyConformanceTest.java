package io.skep.example.binpack;

import io.skep.spi.scheduler.SchedulerStrategy;
import io.skep.spi.tck.SchedulerStrategyConformance;

/** The bin-pack strategy against the SPI's conformance kit (spi/TCK.md). */
class BinpackStrategyConformanceTest extends SchedulerStrategyConformance {

    @Override
    protected SchedulerStrategy strategy() {
        return new BinpackStrategy();
    }

    /** The nodes are sorted by free resources, then node ID. */
    @Override
    protected boolean independentOfCandidateOrder() {
        return true;
    }
}
