/**
 * The scheduler strategy {@code topology}: Swarm's placement preferences ({@code --placement-pref
 * spread=node.labels.az}). Inside each group it hands the nodes to the heaviest other strategy the node loaded (the
 * built-in {@code spread}), which the core hands it at start. Exports nothing.
 */
module io.skep.scheduler.topology {
    requires io.skep.spi;

    provides io.skep.spi.scheduler.SchedulerStrategy with
            io.skep.scheduler.topology.TopologyStrategy;
}
