package io.skep.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns JMH results into ratios to a baseline measured in the same run. In every benchmark class, the method
 * named {@value #BASELINE} is the baseline of the class's other methods run with the same parameters and mode;
 * a ratio is our time over the baseline's time (so below 1 is faster), whatever the mode: for throughput modes
 * it is the baseline's score over ours.
 */
public final class Ratios {

    /** The name of a benchmark method that is its class's baseline. */
    public static final String BASELINE = "baseline";

    private Ratios() {}

    /**
     * One measured benchmark.
     *
     * @param benchmark the benchmark method's full name ({@code package.Class.method})
     * @param params    its parameters, by name
     * @param mode      JMH's short label of its mode ({@code avgt}, {@code thrpt}, {@code sample}, {@code ss})
     * @param score     the score
     * @param error     the score's error (half the confidence interval), NaN when JMH has none
     * @param unit      the score's unit, e.g. {@code ms/op}
     */
    public record Row(
            String benchmark, Map<String, String> params, String mode, double score, double error, String unit) {

        public Row {
            Objects.requireNonNull(benchmark, "benchmark");
            params = new TreeMap<>(params);
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(unit, "unit");
        }

        String className() {
            int dot = benchmark.lastIndexOf('.');
            return dot < 0 ? "" : benchmark.substring(0, dot);
        }

        String method() {
            return benchmark.substring(benchmark.lastIndexOf('.') + 1);
        }

        /** {@code Class.method}, without the package. */
        String shortName() {
            String className = className();
            return className.substring(className.lastIndexOf('.') + 1) + "." + method();
        }

        boolean isBaseline() {
            return method().equals(BASELINE);
        }

        boolean higherIsBetter() {
            return mode.equals("thrpt");
        }
    }

    /** A row beside its baseline, with the ratio of their times and its error. */
    public record Comparison(Row row, Row baseline, double ratio, double ratioError) {}

    /** The rows of JMH's results. */
    public static List<Row> rows(Collection<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (RunResult result : results) {
            BenchmarkParams params = result.getParams();
            Map<String, String> values = new TreeMap<>();
            for (String key : params.getParamsKeys()) {
                values.put(key, params.getParam(key));
            }
            Result<?> primary = result.getPrimaryResult();
            rows.add(new Row(
                    params.getBenchmark(),
                    values,
                    params.getMode().shortLabel(),
                    primary.getScore(),
                    primary.getScoreError(),
                    primary.getScoreUnit()));
        }
        return rows;
    }

    /** Every row that is not a baseline and has one in {@code rows}, beside it. */
    public static List<Comparison> compare(List<Row> rows) {
        List<Comparison> comparisons = new ArrayList<>();
        for (Row row : rows) {
            if (row.isBaseline()) {
                continue;
            }
            baselineOf(row, rows).ifPresent(baseline -> comparisons.add(compare(row, baseline)));
        }
        return comparisons;
    }

    private static Optional<Row> baselineOf(Row row, List<Row> rows) {
        return rows.stream()
                .filter(Row::isBaseline)
                .filter(b -> b.className().equals(row.className())
                        && b.params().equals(row.params())
                        && b.mode().equals(row.mode())
                        && b.unit().equals(row.unit()))
                .findFirst();
    }

    private static Comparison compare(Row row, Row baseline) {
        double ratio = row.higherIsBetter() ? baseline.score() / row.score() : row.score() / baseline.score();
        double relative = Math.hypot(relativeError(row), relativeError(baseline));
        return new Comparison(row, baseline, ratio, Double.isNaN(relative) ? Double.NaN : ratio * relative);
    }

    private static double relativeError(Row row) {
        return row.error() / row.score();
    }

    /** A table of the comparisons, one line each, with a heading; a note when there is none. */
    public static String table(List<Comparison> comparisons) {
        if (comparisons.isEmpty()) {
            return "No ratios: no benchmark ran beside a '" + BASELINE + "' method of its class with the same"
                    + " parameters.\n";
        }
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"Benchmark", "Params", "Score", "Baseline", "Ratio (ours/baseline)", "Speed-up"});
        for (Comparison c : comparisons) {
            lines.add(new String[] {
                c.row().shortName(),
                params(c.row().params()),
                score(c.row()),
                score(c.baseline()),
                withError(c.ratio(), c.ratioError()),
                round(1 / c.ratio()) + "x"
            });
        }
        int[] widths = new int[lines.getFirst().length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder(
                "Ratios to the baseline of the same run (time ours / time baseline;" + " below 1 is faster):\n");
        for (String[] line : lines) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(String.format("%-" + widths[i] + "s", line[i]));
                if (i < line.length - 1) {
                    text.append("  ");
                }
            }
            out.append(text.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static String params(Map<String, String> params) {
        StringBuilder text = new StringBuilder();
        params.forEach((key, value) ->
                text.append(text.isEmpty() ? "" : " ").append(key).append('=').append(value));
        return text.toString();
    }

    private static String score(Row row) {
        return withError(row.score(), row.error()) + " " + row.unit() + " (" + row.mode() + ")";
    }

    private static String withError(double value, double error) {
        return Double.isFinite(error) ? round(value) + " ± " + round(error) : round(value);
    }

    /** Four significant digits, never in exponent notation (the store scenario's report rounds alike). */
    public static String round(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return new BigDecimal(value)
                .round(new MathContext(4))
                .stripTrailingZeros()
                .toPlainString();
    }
}
