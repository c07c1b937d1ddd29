/**
 * The scheduler strategy {@code topology}: Swarm's placement preferences ({@code --placement-pref
 * spread=node.labels.az}). Inside each group it hands the nodes to the heaviest other strategy installed (the
 * built-in {@code spread}), found through {@link java.util.ServiceLoader} like every plugin. Exports nothing.
 */
module io.skep.scheduler.topology {
    requires io.skep.spi;

    uses io.skep.spi.scheduler.SchedulerStrategy;
    provides io.skep.spi.scheduler.SchedulerStrategy with io.skep.scheduler.topology.TopologyStrategy;
}
