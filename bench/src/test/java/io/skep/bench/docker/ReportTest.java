package io.skep.bench.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.bench.docker.Report.LegRun;
import io.skep.bench.docker.Report.Measured;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static final Step.Shape SHAPE = new Step.Shape(20, 50, 10);

    private static LegRun run(Leg leg, int round, double... seconds) {
        Map<Step, Measured> steps = new EnumMap<>(Step.class);
        for (int i = 0; i < seconds.length; i++) {
            steps.put(
                    Step.values()[i],
                    new Measured(
                            Duration.ofMillis(Math.round(seconds[i] * 1000)),
                            i == 0 ? Duration.ofMillis(400) : null,
                            null,
                            null));
        }
        return new LegRun(leg, round, steps, seconds.length < 4 ? "at remove: boom" : null);
    }

    private static String row(String table, String label) {
        return table.lines().filter(l -> l.startsWith(label)).findFirst().orElseThrow(() -> new AssertionError(table));
    }

    @Test
    void oneRoundShowsTimesAndBothRatios() {
        String table = Report.table(
                SHAPE,
                List.of(Leg.RAW, Leg.SWARM, Leg.SKEP),
                List.of(
                        run(Leg.RAW, 1, 3.3, 5.0, 15, 3.8),
                        run(Leg.SWARM, 1, 6.2, 8.3, 17.6, 5.3),
                        run(Leg.SKEP, 1, 3.3, 6.0, 15, 4.0)));

        assertTrue(
                row(table, "Step")
                        .matches("Step\\s+raw \\(s\\)\\s+Swarm \\(s\\)\\s+skep \\(s\\)\\s+skep/raw\\s+skep/Swarm"),
                table);
        assertTrue(
                row(table, "create 20 replicas").matches("create 20 replicas\\s+3.3\\s+6.2\\s+3.3\\s+1\\s+0.5323"),
                table);
        assertTrue(row(table, "scale 20 -> 50").matches("scale 20 -> 50\\s+5\\s+8.3\\s+6\\s+1.2\\s+0.7229"), table);
        assertTrue(row(table, "update 50 to v2, 10 at a time").contains(" 15 "), table);
        assertTrue(
                row(table, "all four steps").matches("all four steps\\s+27.1\\s+37.4\\s+28.3\\s+1.044\\s+0.7567"),
                table);
        assertTrue(
                table.contains(
                        "Goal (skep within 1.1x of the raw engine on every step): not met" + " (scale 20 -> 50: 1.2)"),
                table);
    }

    @Test
    void severalRoundsGiveMediansAndRatiosWithinRounds() {
        String table = Report.table(
                SHAPE,
                List.of(Leg.RAW, Leg.SKEP),
                List.of(
                        run(Leg.RAW, 1, 2, 5, 15, 4), run(Leg.SKEP, 1, 2, 5, 15, 4),
                        run(Leg.RAW, 2, 4, 5, 15, 4), run(Leg.SKEP, 2, 4.2, 5, 15, 4),
                        run(Leg.RAW, 3, 3, 5, 15, 4), run(Leg.SKEP, 3, 1.5, 5, 15, 4)));
        // raw 2, 4, 3 -> 3 (2-4); skep 2, 4.2, 1.5 -> 2 (1.5-4.2); within rounds 1, 1.05, 0.5 -> 1 (0.5-1.05)
        assertTrue(
                row(table, "create")
                        .matches("create 20 replicas\\s+3 \\(2-4\\)\\s+2 \\(1.5-4.2\\)\\s+1 \\(0.5-1.05\\)"),
                table);
        assertTrue(table.contains("median over 3 rounds"), table);
        assertTrue(table.contains("): met"), table);
        assertTrue(!table.contains("skep/Swarm"), table);
    }

    @Test
    void aFailedLegLeavesDashesAndSaysWhy() {
        String table = Report.table(
                SHAPE, List.of(Leg.RAW, Leg.SKEP), List.of(run(Leg.RAW, 1, 3, 5, 15, 4), run(Leg.SKEP, 1, 3, 5, 15)));
        assertTrue(row(table, "remove 50").matches("remove 50\\s+4\\s+-\\s+-"), table);
        assertTrue(row(table, "all four steps").matches("all four steps\\s+27\\s+-\\s+-"), table);
        assertTrue(table.contains("not met (remove 50: not measured)"), table);
        assertTrue(table.contains("skep failed in round 1: at remove: boom"), table);
    }

    @Test
    void theLineOfALegShowsEachStepAndItsFirstEffect() {
        assertEquals(
                "round 1/2  Swarm  create 6.2 s (first 0.4)  scale 8.3 s  update 17.6 s  remove 5.3 s",
                Report.line(run(Leg.SWARM, 1, 6.2, 8.3, 17.6, 5.3), 2));
        assertEquals(
                "round 2/2  skep   create 1 s (first 0.4, dockerd CPU 0.8, skep CPU 1.25)  FAILED: at remove: boom",
                Report.line(
                        new LegRun(
                                Leg.SKEP,
                                2,
                                Map.of(
                                        Step.CREATE,
                                        new Measured(
                                                Duration.ofSeconds(1),
                                                Duration.ofMillis(400),
                                                Duration.ofMillis(800),
                                                Duration.ofMillis(1250))),
                                "at remove: boom"),
                        2));
    }

    @Test
    void medianAndSpread() {
        assertEquals(2.5, Report.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertEquals("-", Report.spread(List.of()));
        assertEquals("1.5", Report.spread(List.of(1.5)));
        assertEquals("2 (1-3)", Report.spread(List.of(3.0, 1.0, 2.0)));
    }
}
