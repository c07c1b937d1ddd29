package io.skep.core.scheduler;

import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerContext;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.Comparator;
import java.util.List;

/**
 * The scheduler strategies of this node, told of one another ({@link SchedulerStrategy#init}), and which of them
 * places a service's tasks: the one its label {@value SchedulerStrategy#SERVICE_LABEL} names, else the heaviest that
 * applies (ties by name). The scheduler places with it and the rebalancer asks it what "even" is.
 */
public final class Strategies {
    private final List<SchedulerStrategy> loaded;

    public Strategies(List<SchedulerStrategy> loaded) {
        this.loaded = List.copyOf(loaded);
        SchedulerContext context = new SchedulerContext(this.loaded);
        this.loaded.forEach(s -> s.init(context));
    }

    /** The strategy for a request, or (strategy null) why there is none, as a pending task's message says it. */
    public record Choice(SchedulerStrategy strategy, String refusal) {}

    public Choice choose(PlacementRequest request) {
        String named = request.serviceLabels().get(SchedulerStrategy.SERVICE_LABEL);
        if (named != null) {
            SchedulerStrategy s = loaded.stream()
                    .filter(l -> l.name().equals(named))
                    .findFirst()
                    .orElse(null);
            if (s == null) {
                return new Choice(
                        null,
                        "scheduler strategy \"" + named + "\" named by service label " + SchedulerStrategy.SERVICE_LABEL
                                + " is not installed on this node");
            }
            return s.appliesTo(request)
                    ? new Choice(s, null)
                    : new Choice(
                            null,
                            "scheduler strategy \"" + named + "\" named by service label "
                                    + SchedulerStrategy.SERVICE_LABEL + " does not place this task");
        }
        return loaded.stream()
                .filter(s -> s.appliesTo(request))
                .max(Comparator.comparingInt(SchedulerStrategy::weight)
                        .thenComparing(SchedulerStrategy::name, Comparator.reverseOrder()))
                .map(s -> new Choice(s, null))
                .orElse(new Choice(null, "no scheduler strategy in this image places this task"));
    }
}
