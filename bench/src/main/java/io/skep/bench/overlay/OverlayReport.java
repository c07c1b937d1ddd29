package io.skep.bench.overlay;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The figures of an overlay run, as text. */
final class OverlayReport {
    /** Issue 13's goal for the throughput through the VIP over that straight to the task. */
    static final double RATIO_GOAL = 0.95;
    /** Issue 13's goal for the p99 from RUNNING to resolvable and reachable by name from another node, in ms. */
    static final double RESOLVABLE_P99_GOAL_MS = 250;

    private OverlayReport() {}

    /** One round of bulk transfers: MiB/s straight to the receiver task's address, and through its service's VIP. */
    record Round(double directMibps, double vipMibps) {
        double ratio() {
            return vipMibps / directMibps;
        }
    }

    /**
     * One new service, from its task's RUNNING timestamp until a task on another node had, in milliseconds:
     * {@code nslookup tasks.NAME} answering and {@code wget http://tasks.NAME/} fetching from the task; then
     * {@code wget http://NAME/} (through the VIP) fetching too. Negative when the name answered before the timestamp.
     */
    record Sample(String service, double byTaskNameMs, double byVipNameMs) {}

    /**
     * What a run measured.
     *
     * @param nodes        how the run was laid out, for the header: which nodes ran what
     * @param execMs       one exec into a task through {@code nsenter} (a no-op script), median, in ms
     * @param pollMs       one failing poll inside the client task (lookup, fetch, pause), median, in ms
     * @param rounds       the measured transfer rounds
     * @param samples      the measured time-to-resolvable samples
     */
    record Result(
            OverlayScenario.Options options,
            String nodes,
            double execMs,
            double pollMs,
            List<Round> rounds,
            List<Sample> samples) {}

    static String text(Result r) {
        OverlayScenario.Options o = r.options();
        StringBuilder out = new StringBuilder();
        out.append("Overlay network: %s%n".formatted(r.nodes()));
        out.append("Throughput, %d MiB of TCP per transfer from a task on one node to a task on another (VXLAN), "
                        .formatted(o.mib())
                + "%d rounds, the order alternating:%n".formatted(r.rounds().size()));
        out.append("  straight to the task's address  %s%n".formatted(rates(r.rounds(), Round::directMibps)));
        out.append("  through the service's VIP       %s%n".formatted(rates(r.rounds(), Round::vipMibps)));
        double ratio = percentile(values(r.rounds(), Round::ratio), 50);
        out.append("  VIP / direct, within each round: median %s (min %s, max %s); goal >= %.2f: %s%n"
                .formatted(
                        fixed(ratio, 3),
                        fixed(min(values(r.rounds(), Round::ratio)), 3),
                        fixed(max(values(r.rounds(), Round::ratio)), 3),
                        RATIO_GOAL,
                        verdict(ratio >= RATIO_GOAL, ratio)));
        out.append("  VIP / direct, the two medians: %s%n"
                .formatted(fixed(
                        percentile(values(r.rounds(), Round::vipMibps), 50)
                                / percentile(values(r.rounds(), Round::directMibps), 50),
                        3)));
        out.append("  (each transfer timed inside the sender, from its connect until the receiver had counted every "
                + "byte)\n");
        double[] byTask = values(r.samples(), Sample::byTaskNameMs);
        double[] byVip = values(r.samples(), Sample::byVipNameMs);
        double p99 = percentile(byTask, 99);
        out.append(("Time from a new service's task RUNNING (its Status.Timestamp) until a task on another node "
                        + "resolves and reaches it by name, %d samples:%n")
                .formatted(r.samples().size()));
        out.append(
                "  nslookup tasks.NAME and wget http://tasks.NAME/  p50 %s ms, p99 %s ms, max %s ms; goal p99 <= %.0f ms: %s%n"
                        .formatted(
                                fixed(percentile(byTask, 50), 0),
                                fixed(p99, 0),
                                fixed(max(byTask), 0),
                                RESOLVABLE_P99_GOAL_MS,
                                verdict(p99 <= RESOLVABLE_P99_GOAL_MS, p99)));
        out.append("  then wget http://NAME/ (the VIP)                 p50 %s ms, p99 %s ms, max %s ms%n"
                .formatted(fixed(percentile(byVip, 50), 0), fixed(percentile(byVip, 99), 0), fixed(max(byVip), 0)));
        out.append(("  (polled inside the client task: one failing poll takes %s ms, so each figure is late by up "
                        + "to that; polling from outside would add an exec through nsenter, %s ms, to every poll)%n")
                .formatted(fixed(r.pollMs(), 1), fixed(r.execMs(), 1)));
        return out.toString();
    }

    private static String rates(List<Round> rounds, ToDoubleFunction<Round> rate) {
        double[] v = values(rounds, rate);
        return "median %s MiB/s (min %s, max %s)"
                .formatted(fixed(percentile(v, 50), 1), fixed(min(v), 1), fixed(max(v), 1));
    }

    private static String verdict(boolean met, double figure) {
        return Double.isNaN(figure) ? "not measured" : met ? "met" : "NOT met";
    }

    static <T> double[] values(List<T> of, ToDoubleFunction<T> figure) {
        return of.stream().mapToDouble(figure).toArray();
    }

    /** The {@code p}th percentile, nearest rank (so p50 of an odd count is its median); NaN of none. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    private static double min(double[] values) {
        return percentile(values, 0);
    }

    private static double max(double[] values) {
        return percentile(values, 100);
    }

    /** {@code value} with {@code decimals} decimals; "-" for NaN. */
    static String fixed(double value, int decimals) {
        return Double.isNaN(value) ? "-" : ("%." + decimals + "f").formatted(value);
    }
}
