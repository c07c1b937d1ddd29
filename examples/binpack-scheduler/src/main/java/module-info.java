/**
 * A vendor's scheduler plugin, built against {@code io.skep.spi} alone and dropped into a node's {@code plugins/}
 * folder: the strategy {@code binpack} and the filter {@code binpack-skip}.
 */
module io.skep.example.binpack {
    requires io.skep.spi;

    provides io.skep.spi.scheduler.SchedulerStrategy with
            io.skep.example.binpack.BinpackStrategy;
    provides io.skep.spi.scheduler.SchedulerFilter with
            io.skep.example.binpack.SkipFilter;
}
