package io.skep.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.bench.faults.Nemesis.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The harness's command line, its fault schedule and its report. */
class FaultScenarioTest {

    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> FaultScenario.Options.parse(args))
                .getMessage();
    }

    @Test
    void optionsAreReadAndBadOnesNamed() {
        FaultScenario.Options d = FaultScenario.Options.parse("--skep=/opt/skep/bin/skep");
        assertEquals(3, d.managers());
        assertEquals(100, d.faults());
        assertEquals(List.of(Kind.values()), d.kinds());
        assertEquals(Duration.ofSeconds(30), d.writeBound());
        FaultScenario.Options o = FaultScenario.Options.parse(
                "--managers=5",
                "--faults=7",
                "--kinds=kill,bridge,kill",
                "--hold=500",
                "--clients=1",
                "--services=2",
                "--replicas=1",
                "--creates=0",
                "--think=10",
                "--timeout=3",
                "--write-bound=5",
                "--settle-bound=20",
                "--seed=42",
                "--skep=/opt/skep/bin/skep",
                "--dir=/var/tmp",
                "--daemon-opts=-Xmx1g",
                "--keep-going");
        assertEquals(
                new FaultScenario.Options(
                        5,
                        7,
                        List.of(Kind.KILL, Kind.BRIDGE),
                        Duration.ofMillis(500),
                        1,
                        2,
                        1,
                        0,
                        Duration.ofMillis(10),
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(20),
                        42,
                        Path.of("/opt/skep/bin/skep"),
                        Path.of("/var/tmp"),
                        "-Xmx1g",
                        true),
                o);
        assertEquals("", error("--help"));
        assertTrue(error("--managers=4", "--skep=/x").contains("an odd number"));
        assertTrue(error("--managers=1", "--skep=/x").contains("at least 3"));
        assertTrue(error("--kinds=kill,flood", "--skep=/x").contains("unknown kind 'flood'"));
        assertTrue(error("--faults=many", "--skep=/x").contains("not a number"));
        assertTrue(error("--nodes=3", "--skep=/x").contains("unknown option '--nodes'"));
    }

    @Test
    void everyKindComesAsOftenAsTheOthers() {
        List<Kind> schedule = FaultScenario.schedule(List.of(Kind.values()), 52, new Random(7));
        assertEquals(52, schedule.size());
        for (Kind k : Kind.values()) {
            int n = Collections.frequency(schedule, k);
            assertTrue(n == 10 || n == 11, k + " came " + n + " times");
        }
        // each turn holds every kind once
        assertEquals(
                List.of(Kind.values()).stream().sorted().toList(),
                schedule.subList(5, 10).stream().sorted().toList());
    }

    @Test
    void theReportGivesFaultsWritesLossesAndRecoveryTimes() {
        History h = new History();
        h.add(new History.Write(
                1,
                History.Kind.UPDATE,
                "s1",
                "m1",
                5,
                History.INITIAL,
                "a",
                0,
                1,
                History.Outcome.ACKNOWLEDGED,
                "200"));
        h.add(new History.Write(
                2,
                History.Kind.UPDATE,
                "s1",
                "m2",
                5,
                History.INITIAL,
                "b",
                0,
                1,
                History.Outcome.REFUSED,
                "409 update out of sequence"));
        h.add(new History.Write(
                3,
                History.Kind.CREATE,
                "c",
                "m3",
                -1,
                null,
                "c",
                0,
                1,
                History.Outcome.REFUSED,
                "503 " + History.NO_LEADER));
        h.add(new History.Write(
                4,
                History.Kind.CREATE,
                "d",
                "m3",
                -1,
                null,
                "d",
                0,
                1,
                History.Outcome.INDETERMINATE,
                "java.net.SocketTimeoutException"));
        List<FaultScenario.Checkpoint> checks = List.of(
                new FaultScenario.Checkpoint(1, Kind.KILL, "kill -9 m1 (leader)", 0.5, 4.0, 1.0, List.of()),
                new FaultScenario.Checkpoint(2, Kind.PAUSE, "SIGSTOP m2 (follower)", 0.1, 0.2, 0.3, List.of()),
                new FaultScenario.Checkpoint(3, null, "end of the run", Double.NaN, Double.NaN, 0.1, List.of()));
        FaultScenario.Result r = new FaultScenario.Result(
                FaultScenario.Options.parse("--skep=/x"), checks, h, 3, 0, 1, 5, 9, Path.of("/tmp/h"));
        assertTrue(r.passed());
        String text = FaultReport.text(r);
        assertTrue(text.contains("kill -9, restart") && text.contains("SIGSTOP, SIGCONT"), text);
        assertTrue(
                text.contains("Writes: 4 in all (2 version-checked updates, the probes' included; 2 creates)"), text);
        assertTrue(text.contains("refused              2  (409 stale version: 1; 503 no leader: 1)"), text);
        assertTrue(text.contains("indeterminate        1  (took effect: 1)"), text);
        assertTrue(text.contains("Acknowledged writes lost: 0"), text);
        assertTrue(text.contains("any manager: p50 0.10 s, p99 0.50 s; every manager: p50 0.20 s, p99 4.00 s"), text);
        assertTrue(text.contains("at 3 of 3 checks (5 services, 9 tasks at the last)"), text);
        assertTrue(text.contains("Verdict: passed"), text);

        FaultScenario.Result failed = new FaultScenario.Result(
                r.options(),
                List.of(new FaultScenario.Checkpoint(
                        1,
                        Kind.BRIDGE,
                        "{m1} | {m3}",
                        0.1,
                        0.2,
                        Double.NaN,
                        List.of("s1: lost: acknowledged write #9"))),
                h,
                0,
                1,
                0,
                0,
                0,
                Path.of("/tmp/h"));
        assertTrue(!failed.passed());
        assertTrue(
                FaultReport.text(failed)
                        .contains("Verdict: FAILED at check 1 ({m1} | {m3}): s1: lost: acknowledged "
                                + "write #9; homes kept in /tmp/h"),
                FaultReport.text(failed));
    }
}
