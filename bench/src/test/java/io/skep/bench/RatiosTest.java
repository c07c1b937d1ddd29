package io.skep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.bench.Ratios.Comparison;
import io.skep.bench.Ratios.Row;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RatiosTest {

    private static final String CLASS = "io.skep.bench.scheduler.SchedulerBenchmark";

    private static Row row(String method, String tasks, String mode, double score, double error) {
        return new Row(
                CLASS + "." + method,
                Map.of("nodes", "1000", "tasks", tasks),
                mode,
                score,
                error,
                mode.equals("thrpt") ? "ops/ms" : "ms/op");
    }

    @Test
    void averageTimeRatioIsOursOverBaseline() {
        List<Comparison> comparisons = Ratios.compare(List.of(
                row("baseline", "1000", "avgt", 10.0, 1.0),
                row("spread", "1000", "avgt", 0.5, 0.05),
                row("baseline", "10000", "avgt", 100.0, Double.NaN),
                row("spread", "10000", "avgt", 2.0, 0.1)));

        assertEquals(2, comparisons.size());
        assertEquals(0.05, comparisons.get(0).ratio(), 1e-12);
        assertEquals(0.05 * Math.hypot(0.1, 0.1), comparisons.get(0).ratioError(), 1e-12);
        assertEquals("10000", comparisons.get(1).baseline().params().get("tasks"));
        assertEquals(0.02, comparisons.get(1).ratio(), 1e-12);
        assertTrue(Double.isNaN(comparisons.get(1).ratioError()));
    }

    @Test
    void throughputRatioIsBaselineOverOurs() {
        List<Comparison> comparisons = Ratios.compare(
                List.of(row("spread", "1000", "thrpt", 40.0, 0), row("baseline", "1000", "thrpt", 10.0, 0)));

        assertEquals(0.25, comparisons.getFirst().ratio(), 1e-12);
    }

    @Test
    void rowsWithoutAMatchingBaselineAreLeftOut() {
        List<Comparison> comparisons = Ratios.compare(List.of(
                row("spread", "1000", "avgt", 1.0, 0),
                row("baseline", "10000", "avgt", 10.0, 0),
                row("baseline", "1000", "thrpt", 10.0, 0)));

        assertEquals(List.of(), comparisons);
        assertTrue(Ratios.table(comparisons).startsWith("No ratios"));
    }

    @Test
    void tableShowsScoresRatioAndSpeedUp() {
        String table = Ratios.table(Ratios.compare(
                List.of(row("baseline", "10000", "avgt", 25.0, 0.5), row("spread", "10000", "avgt", 0.25, 0.005))));

        List<String> lines = table.lines().toList();
        assertEquals(3, lines.size(), table);
        assertTrue(lines.get(1).startsWith("Benchmark"), table);
        assertTrue(lines.get(2).startsWith("SchedulerBenchmark.spread  nodes=1000 tasks=10000"), table);
        assertTrue(lines.get(2).contains("0.25 ± 0.005 ms/op (avgt)"), table);
        assertTrue(lines.get(2).contains("25 ± 0.5 ms/op (avgt)"), table);
        assertTrue(lines.get(2).contains("0.01 ± 0.0002828"), table);
        assertTrue(lines.get(2).endsWith("100x"), table);
    }

    @Test
    void roundsToFourSignificantDigitsWithoutExponents() {
        assertEquals("0.0001235", Ratios.round(0.000123456));
        assertEquals("123500", Ratios.round(123456.0));
        assertEquals("1.5", Ratios.round(1.5));
        assertEquals("NaN", Ratios.round(Double.NaN));
    }
}
