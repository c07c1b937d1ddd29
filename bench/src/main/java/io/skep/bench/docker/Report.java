package io.skep.bench.docker;

import io.skep.bench.Ratios;
import io.skep.bench.TextTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The scenario's output: one line per leg as it ends, then each step's time on every leg (the median over the
 * rounds) and skep's ratios to the raw engine and to Swarm, each the median of the ratios within a round, so that
 * both sides of a ratio always come from the same round. Nothing here is asserted; it only prints.
 */
final class Report {

    /** The goal of issue 3: skep within this factor of the raw engine, on every step. */
    static final double GOAL = 1.1;

    private Report() {}

    /**
     * One step that completed.
     *
     * @param time      from its first command until the engine showed it done
     * @param first     until its first visible effect on the engine (a container more, one less, or one on v2), or
     *                  null if there was none before the end
     * @param engineCpu the CPU time dockerd used meanwhile (Swarm's orchestration included), or null if unknown
     * @param skepCpu   the CPU time skep's daemon used meanwhile (skep's leg only), or null
     */
    record Measured(Duration time, Duration first, Duration engineCpu, Duration skepCpu) {

        Measured {
            Objects.requireNonNull(time, "time");
        }
    }

    /**
     * One leg in one round.
     *
     * @param steps   the steps that completed, in order
     * @param failure why the leg stopped before its last step, or null
     */
    record LegRun(Leg leg, int round, Map<Step, Measured> steps, String failure) {

        LegRun {
            Objects.requireNonNull(leg, "leg");
            steps = steps.isEmpty() ? Map.of() : new EnumMap<>(steps);
        }

        /** The step's time in seconds, or null. */
        Double seconds(Step step) {
            Measured m = steps.get(step);
            return m == null ? null : m.time().toNanos() / 1e9;
        }

        /** The four steps' total in seconds, when all four completed; else null. */
        Double totalSeconds() {
            double total = 0;
            for (Step step : Step.values()) {
                Double s = seconds(step);
                if (s == null) {
                    return null;
                }
                total += s;
            }
            return total;
        }
    }

    /**
     * The line printed when a leg ends: each step's time and, in brackets, when its first effect showed and the CPU
     * time dockerd and skep used meanwhile.
     */
    static String line(LegRun run, int rounds) {
        StringBuilder out = new StringBuilder(String.format(
                "round %d/%d  %-5s", run.round(), rounds, run.leg().title()));
        for (Step step : Step.values()) {
            Measured m = run.steps().get(step);
            if (m == null) {
                break;
            }
            out.append("  ")
                    .append(step.name().toLowerCase())
                    .append(' ')
                    .append(seconds(m.time()))
                    .append(" s");
            List<String> details = new ArrayList<>();
            if (m.first() != null) {
                details.add("first " + seconds(m.first()));
            }
            if (m.engineCpu() != null) {
                details.add("dockerd CPU " + seconds(m.engineCpu()));
            }
            if (m.skepCpu() != null) {
                details.add("skep CPU " + seconds(m.skepCpu()));
            }
            if (!details.isEmpty()) {
                out.append(" (").append(String.join(", ", details)).append(')');
            }
        }
        if (run.failure() != null) {
            out.append("  FAILED: ").append(run.failure());
        }
        return out.toString();
    }

    /** The table of medians and ratios, the goal's verdict, and the failures. */
    static String table(Step.Shape shape, List<Leg> legs, List<LegRun> runs) {
        int rounds = runs.stream().mapToInt(LegRun::round).max().orElse(0);
        boolean vsRaw = legs.contains(Leg.SKEP) && legs.contains(Leg.RAW);
        boolean vsSwarm = legs.contains(Leg.SKEP) && legs.contains(Leg.SWARM);

        List<String[]> lines = new ArrayList<>();
        List<String> heading = new ArrayList<>(List.of("Step"));
        legs.forEach(leg -> heading.add(leg.title() + " (s)"));
        if (vsRaw) {
            heading.add("skep/raw");
        }
        if (vsSwarm) {
            heading.add("skep/Swarm");
        }
        lines.add(heading.toArray(String[]::new));

        List<String> missed = new ArrayList<>();
        List<Function<LegRun, Double>> values = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Step step : Step.values()) {
            values.add(run -> run.seconds(step));
            labels.add(step.label(shape));
        }
        values.add(LegRun::totalSeconds);
        labels.add("all four steps");
        for (int row = 0; row < values.size(); row++) {
            Function<LegRun, Double> value = values.get(row);
            List<String> line = new ArrayList<>(List.of(labels.get(row)));
            for (Leg leg : legs) {
                line.add(spread(values(runs, leg, value)));
            }
            if (vsRaw) {
                List<Double> ratios = ratios(runs, Leg.SKEP, Leg.RAW, value, rounds);
                line.add(spread(ratios));
                if (row < Step.values().length) {
                    if (ratios.isEmpty()) {
                        missed.add(labels.get(row) + ": not measured");
                    } else if (median(ratios) > GOAL) {
                        missed.add(labels.get(row) + ": " + Ratios.round(median(ratios)));
                    }
                }
            }
            if (vsSwarm) {
                line.add(spread(ratios(runs, Leg.SKEP, Leg.SWARM, value, rounds)));
            }
            lines.add(line.toArray(String[]::new));
        }

        StringBuilder out = new StringBuilder();
        out.append("Seconds from a step's first command until the engine showed it done");
        out.append(
                rounds > 1
                        ? " (median over " + rounds + " rounds, min-max in brackets); ratios: the median of"
                                + " the ratios within each round:\n"
                        : ":\n");
        out.append(TextTable.columns(lines, 1));
        if (vsRaw) {
            out.append("\nGoal (skep within ")
                    .append(Ratios.round(GOAL))
                    .append("x of the raw engine on every step): ")
                    .append(missed.isEmpty() ? "met" : "not met (" + String.join("; ", missed) + ")")
                    .append('\n');
        }
        for (LegRun run : runs) {
            if (run.failure() != null) {
                out.append(
                        String.format("%s failed in round %d: %s%n", run.leg().title(), run.round(), run.failure()));
            }
        }
        return out.toString();
    }

    private static List<Double> values(List<LegRun> runs, Leg leg, Function<LegRun, Double> value) {
        return runs.stream()
                .filter(r -> r.leg() == leg)
                .map(value)
                .filter(Objects::nonNull)
                .toList();
    }

    /** ours over theirs, round by round, where both have a value. */
    private static List<Double> ratios(
            List<LegRun> runs, Leg ours, Leg theirs, Function<LegRun, Double> value, int rounds) {
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Double a = valueIn(runs, ours, round, value);
            Double b = valueIn(runs, theirs, round, value);
            if (a != null && b != null && b > 0) {
                ratios.add(a / b);
            }
        }
        return ratios;
    }

    private static Double valueIn(List<LegRun> runs, Leg leg, int round, Function<LegRun, Double> value) {
        return runs.stream()
                .filter(r -> r.leg() == leg && r.round() == round)
                .map(value)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    /** The median, and the range when there is more than one value; "-" when there is none. */
    static String spread(List<Double> values) {
        if (values.isEmpty()) {
            return "-";
        }
        String median = Ratios.round(median(values));
        if (values.size() == 1) {
            return median;
        }
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return median + " (" + Ratios.round(min) + "-" + Ratios.round(max) + ")";
    }

    static double median(List<Double> values) {
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String seconds(Duration d) {
        return Ratios.round(d.toNanos() / 1e9);
    }
}
