/**
 * The built-in scheduler strategy {@code spread}: swarmkit's HA spread. Each task goes to the node with the
 * fewest tasks of its service, then the fewest tasks in all; nodes where the service keeps failing go last.
 * Exports nothing: the core finds it through {@link java.util.ServiceLoader}.
 */
module io.skep.scheduler.spread {
    requires io.skep.spi;

    provides io.skep.spi.scheduler.SchedulerStrategy with
            io.skep.scheduler.spread.SpreadStrategy;
}
