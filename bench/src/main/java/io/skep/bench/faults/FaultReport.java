package io.skep.bench.faults;

import io.skep.bench.TextTable;
import io.skep.bench.faults.FaultScenario.Checkpoint;
import io.skep.bench.faults.History.Kind;
import io.skep.bench.faults.History.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The figures of a harness run, as text. */
final class FaultReport {

    private FaultReport() {}

    static String text(FaultScenario.Result r) {
        StringBuilder out = new StringBuilder();
        List<Checkpoint> heals =
                r.checkpoints().stream().filter(c -> c.kind() != null).toList();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "Fault", "Injected", "Any p50", "Any p99", "Every p50", "Every p99", "Settled p50", "Settled max"
        });
        for (Nemesis.Kind kind : Nemesis.Kind.values()) {
            List<Checkpoint> of = heals.stream().filter(c -> c.kind() == kind).toList();
            if (!of.isEmpty()) {
                rows.add(row(kind.description, of));
            }
        }
        rows.add(row("all", heals));
        out.append("Seconds from each heal until a write was acknowledged through any manager, through every manager, "
                + "then until the managers agreed and every service ran its replicas:\n");
        out.append(TextTable.columns(rows, 1));

        History h = r.history();
        long updates = h.writes().stream().filter(w -> w.kind() == Kind.UPDATE).count();
        long creates = h.writes().size() - updates;
        long acknowledged = count(h, Outcome.ACKNOWLEDGED);
        long refused = count(h, Outcome.REFUSED);
        long indeterminate = count(h, Outcome.INDETERMINATE);
        out.append(
                "\nWrites: %d in all (%d version-checked updates, the probes' included; %d creates) through %d managers%n"
                        .formatted(
                                h.writes().size(), updates, creates, r.options().managers()));
        out.append("  acknowledged   %7d%n".formatted(acknowledged));
        out.append("  refused        %7d  (409 stale version: %d; 503 no leader: %d)%n"
                .formatted(refused, h.refusedWith("409"), h.refusedWith("503")));
        out.append("  indeterminate  %7d  (took effect: %d)%n".formatted(indeterminate, r.indeterminateApplied()));
        out.append("  (reads that failed, so no write was tried: %d)%n".formatted(r.failedReads()));
        out.append("Acknowledged writes lost: %d (goal 0)%n".formatted(r.lost()));
        out.append(
                "Heal to the first acknowledged write, any manager: p50 %s s, p99 %s s; every manager: p50 %s s, p99 %s s (bound %d s)%n"
                        .formatted(
                                pct(heals, Checkpoint::anyWrite, 50),
                                pct(heals, Checkpoint::anyWrite, 99),
                                pct(heals, Checkpoint::everyWrite, 50),
                                pct(heals, Checkpoint::everyWrite, 99),
                                r.options().writeBound().toSeconds()));
        long settled =
                r.checkpoints().stream().filter(c -> !Double.isNaN(c.settled())).count();
        out.append(
                "Services settled at exactly their replica count: at %d of %d checks (%d services, %d tasks at the last) (goal all)%n"
                        .formatted(settled, r.checkpoints().size(), r.services(), r.replicas()));
        if (r.passed()) {
            out.append("Verdict: passed (%d faults, every check clean)%n".formatted(heals.size()));
        } else {
            Checkpoint failed = r.checkpoints().stream()
                    .filter(c -> !c.passed())
                    .findFirst()
                    .orElse(r.checkpoints().isEmpty() ? null : r.checkpoints().getLast());
            out.append("Verdict: FAILED%s; homes kept in %s%n"
                    .formatted(
                            failed == null
                                    ? ""
                                    : " at check " + failed.number() + " (" + failed.fault() + "): "
                                            + String.join("; ", failed.violations()),
                            r.homes()));
        }
        return out.toString();
    }

    private static long count(History h, Outcome outcome) {
        return h.count(Kind.UPDATE, outcome) + h.count(Kind.CREATE, outcome);
    }

    private static String[] row(String name, List<Checkpoint> of) {
        return new String[] {
            name,
            Integer.toString(of.size()),
            pct(of, Checkpoint::anyWrite, 50),
            pct(of, Checkpoint::anyWrite, 99),
            pct(of, Checkpoint::everyWrite, 50),
            pct(of, Checkpoint::everyWrite, 99),
            pct(of, Checkpoint::settled, 50),
            pct(of, Checkpoint::settled, 100)
        };
    }

    /** The {@code p}th percentile (nearest rank) of the figures that were measured; "-" when none was. */
    static String pct(List<Checkpoint> of, ToDoubleFunction<Checkpoint> figure, int p) {
        double[] values = of.stream()
                .mapToDouble(figure)
                .filter(v -> !Double.isNaN(v))
                .sorted()
                .toArray();
        if (values.length == 0) {
            return "-";
        }
        int rank = (int) Math.ceil(p / 100.0 * values.length);
        return FaultScenario.seconds(values[Math.max(0, rank - 1)]);
    }
}
