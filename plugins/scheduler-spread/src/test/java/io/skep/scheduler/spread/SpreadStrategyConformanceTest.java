package io.skep.scheduler.spread;

import io.skep.spi.scheduler.SchedulerStrategy;
import io.skep.spi.tck.SchedulerStrategyConformance;

/** The spread strategy against the scheduler conformance kit of the SPI. */
class SpreadStrategyConformanceTest extends SchedulerStrategyConformance {

    @Override
    protected SchedulerStrategy strategy() {
        return new SpreadStrategy();
    }

    /** Spread breaks its last ties by node ID, "so that the result never depends on the order of the candidates". */
    @Override
    protected boolean independentOfCandidateOrder() {
        return true;
    }
}
