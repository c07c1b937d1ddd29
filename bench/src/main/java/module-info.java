/**
 * skep's JMH benchmarks. Each benchmark class measures skep's code and a baseline in the same run, and
 * {@link io.skep.bench.Bench} reports every result as a ratio to its baseline.
 *
 * <p>Plugins are found the way the core finds them, through {@link java.util.ServiceLoader}; none is required.
 */
module io.skep.bench {
    requires io.skep.spi;
    requires jmh.core;

    uses io.skep.spi.scheduler.SchedulerStrategy;

    opens io.skep.bench.scheduler to jmh.core;
}
