package io.skep.bench.dns;

import io.skep.bench.Ratios;
import io.skep.bench.TextTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/** The DNS scenario's report: each leg's rate, latency and cost, and skep ÷ Docker within each round. */
final class DnsReport {
    /** The goal: skep answers at least as many queries per second as Docker's embedded DNS. */
    static final double GOAL = 1.0;

    private DnsReport() {}

    /** The two servers measured. */
    enum Leg {
        DOCKER("docker", "Docker embedded DNS"),
        SKEP("skep", "skep DnsServer");

        final String option;
        final String title;

        Leg(String option, String title) {
            this.option = option;
            this.title = title;
        }
    }

    /**
     * One generator run against one leg's server.
     *
     * @param cpuMicrosPerQuery the server process's CPU time over the measured time per answered query, NaN when
     *                          unknown
     */
    record LegRun(Leg leg, int round, DnsLoad.Result result, double cpuMicrosPerQuery) {
        LegRun {
            Objects.requireNonNull(leg, "leg");
            Objects.requireNonNull(result, "result");
        }

        /** The line printed as the run ends. */
        String line() {
            DnsLoad.Result r = result;
            return String.format(
                    Locale.ROOT,
                    "round %d  %-6s %s qps  p50 %d us  p99 %d us  lost %d  wrong %d  CPU us/query: server %s, generator %s",
                    round,
                    leg.option,
                    Ratios.round(r.qps()),
                    r.p50Micros(),
                    r.p99Micros(),
                    r.lost(),
                    r.wrong(),
                    figure(cpuMicrosPerQuery),
                    figure(r.generatorCpuMicrosPerQuery()));
        }
    }

    private static String figure(double value) {
        return Double.isNaN(value) ? "n/a" : Ratios.round(value);
    }

    /** skep's queries per second over Docker's in each round that measured both. */
    static List<Double> ratios(List<LegRun> runs) {
        Map<Integer, double[]> byRound = new TreeMap<>();
        for (LegRun run : runs) {
            byRound.computeIfAbsent(run.round(), r -> new double[] {Double.NaN, Double.NaN})[
                            run.leg().ordinal()] =
                    run.result().qps();
        }
        List<Double> ratios = new ArrayList<>();
        for (double[] qps : byRound.values()) {
            double docker = qps[Leg.DOCKER.ordinal()];
            double skep = qps[Leg.SKEP.ordinal()];
            if (!Double.isNaN(docker) && !Double.isNaN(skep) && docker > 0) {
                ratios.add(skep / docker);
            }
        }
        return ratios;
    }

    /** The report's table: median (min-max) of each leg's figures, then skep ÷ Docker and whether the goal holds. */
    static String table(List<LegRun> runs) {
        int rounds = (int) runs.stream().mapToInt(LegRun::round).distinct().count();
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {
            "Leg", "Queries/s", "p50 (us)", "p99 (us)", "Lost", "Wrong", "Server CPU (us/query)", "Generator CPU"
        });
        for (Leg leg : Leg.values()) {
            List<LegRun> mine = runs.stream().filter(r -> r.leg() == leg).toList();
            if (mine.isEmpty()) {
                continue;
            }
            lines.add(new String[] {
                leg.title,
                spread(mine, r -> r.result().qps()),
                spread(mine, r -> r.result().p50Micros()),
                spread(mine, r -> r.result().p99Micros()),
                Long.toString(mine.stream().mapToLong(r -> r.result().lost()).sum()),
                Long.toString(mine.stream().mapToLong(r -> r.result().wrong()).sum()),
                spread(mine, LegRun::cpuMicrosPerQuery),
                spread(mine, r -> r.result().generatorCpuMicrosPerQuery())
            });
        }
        StringBuilder out = new StringBuilder("DNS queries answered per second (median over " + rounds + " round"
                + (rounds == 1 ? "" : "s") + ", min-max in brackets; lost and wrong: totals):\n");
        out.append(TextTable.columns(lines, 1));
        List<Double> ratios = ratios(runs);
        if (ratios.isEmpty()) {
            out.append("\nskep ÷ Docker: no round measured both legs\n");
            return out.toString();
        }
        double[] values = ratios.stream().mapToDouble(Double::doubleValue).toArray();
        double median = median(values);
        out.append("\nskep ÷ Docker (queries/s, within each round): ")
                .append(Ratios.round(median))
                .append(" median (")
                .append(Ratios.round(Arrays.stream(values).min().orElseThrow()))
                .append('-')
                .append(Ratios.round(Arrays.stream(values).max().orElseThrow()))
                .append(") over ")
                .append(values.length)
                .append(values.length == 1 ? " round" : " rounds")
                .append('\n');
        boolean clean = runs.stream().allMatch(r -> r.result().wrong() == 0);
        out.append("Goal (skep ÷ Docker ≥ ")
                .append(Ratios.round(GOAL))
                .append("): ")
                .append(median >= GOAL && clean ? "met" : clean ? "not met" : "not met (wrong answers)")
                .append('\n');
        return out.toString();
    }

    private static String spread(List<LegRun> runs, ToDoubleFunction<LegRun> figure) {
        double[] values =
                runs.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).toArray();
        if (values.length == 0) {
            return "n/a";
        }
        String median = Ratios.round(median(values));
        if (values.length == 1) {
            return median;
        }
        return median + " (" + Ratios.round(Arrays.stream(values).min().orElseThrow()) + "-"
                + Ratios.round(Arrays.stream(values).max().orElseThrow()) + ")";
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
