package io.skep.spi.scheduler;

import java.util.List;

/**
 * What the core tells a strategy about the node it runs on, before it places anything
 * ({@link SchedulerStrategy#init}).
 *
 * @param strategies every strategy this node loaded, from the image and from its drop-in plugin folder, the one
 *                   being told included
 */
public record SchedulerContext(List<SchedulerStrategy> strategies) {

    public SchedulerContext {
        strategies = List.copyOf(strategies);
    }
}
