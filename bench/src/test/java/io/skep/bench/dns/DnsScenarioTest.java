package io.skep.bench.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.skep.bench.dns.DnsReport.Leg;
import io.skep.bench.dns.DnsReport.LegRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The DNS scenario's options, order and report; and, as root with a Docker engine, one short real run (about 15 s)
 * that must answer on both legs and leave nothing behind. Without root, {@code ip netns}, {@code nsenter} or Docker it
 * is skipped, unless {@code SKEP_REQUIRE_DOCKER=1} or {@code SKEP_REQUIRE_NETNS=1} (CI) makes that a failure.
 */
class DnsScenarioTest {

    @Test
    void optionsHaveDefaultsAndRefuseWhatIsWrong() {
        DnsScenario.Options defaults = DnsScenario.Options.parse();
        assertEquals(3, defaults.rounds());
        assertEquals(1, defaults.warmupRounds());
        assertEquals(5, defaults.seconds());
        assertEquals(2, defaults.warmup());
        assertEquals(64, defaults.window());
        assertEquals(1000, defaults.timeoutMillis());
        assertEquals("docker", defaults.docker());
        DnsScenario.Options given =
                DnsScenario.Options.parse("--rounds=5", "--window=128", "--busybox=/opt/busybox", "--java=/j/bin/java");
        assertEquals(5, given.rounds());
        assertEquals(128, given.window());
        assertEquals(Path.of("/opt/busybox"), given.busybox());
        assertEquals(Path.of("/j/bin/java"), given.java());
        assertEquals(
                "--rounds must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> DnsScenario.Options.parse("--rounds=0"))
                        .getMessage());
        assertEquals(
                "--seconds: not a number: 'x'",
                assertThrows(IllegalArgumentException.class, () -> DnsScenario.Options.parse("--seconds=x"))
                        .getMessage());
        assertEquals(
                "unknown option '--legs'",
                assertThrows(IllegalArgumentException.class, () -> DnsScenario.Options.parse("--legs=skep"))
                        .getMessage());
    }

    @Test
    void theLegsTakeTurnsGoingFirst() {
        assertEquals(List.of(Leg.DOCKER, Leg.SKEP), DnsScenario.order(0));
        assertEquals(List.of(Leg.SKEP, Leg.DOCKER), DnsScenario.order(1));
        assertEquals(List.of(Leg.DOCKER, Leg.SKEP), DnsScenario.order(2));
    }

    static LegRun run(Leg leg, int round, long answered) {
        return new LegRun(leg, round, new DnsLoad.Result(answered, 0, 0, 5.0, 100, 400, 9.0), 20.0);
    }

    @Test
    void theRatioIsTheMedianOfTheRatiosWithinEachRound() {
        List<LegRun> runs = List.of(
                run(Leg.DOCKER, 1, 50_000), run(Leg.SKEP, 1, 60_000), // 1.2
                run(Leg.SKEP, 2, 40_000), run(Leg.DOCKER, 2, 50_000), // 0.8
                run(Leg.DOCKER, 3, 40_000), run(Leg.SKEP, 3, 60_000)); // 1.5
        assertEquals(List.of(1.2, 0.8, 1.5), DnsReport.ratios(runs));
        String table = DnsReport.table(runs);
        assertTrue(table.contains("median over 3 rounds"), table);
        assertTrue(table.contains("Docker embedded DNS  10000 (8000-10000)"), table);
        assertTrue(
                table.contains("skep ÷ Docker (queries/s, within each round): 1.2 median (0.8-1.5) over 3 rounds"),
                table);
        assertTrue(table.contains("Goal (skep ÷ Docker ≥ 1): met"), table);
        String slower = DnsReport.table(List.of(run(Leg.DOCKER, 1, 50_000), run(Leg.SKEP, 1, 40_000)));
        assertTrue(slower.contains("Goal (skep ÷ Docker ≥ 1): not met"), slower);
        assertTrue(DnsReport.table(List.of(run(Leg.SKEP, 1, 1))).contains("no round measured both legs"));
        assertEquals(
                "round 2  skep   8000 qps  p50 100 us  p99 400 us  lost 0  wrong 0  CPU us/query: server 20, generator 9",
                run(Leg.SKEP, 2, 40_000).line());
    }

    @Test
    void aShortRealRunAnswersOnBothLegsAndLeavesNothingBehind() throws Exception {
        String missing = DnsScenario.unavailableReason("docker");
        if (missing != null) {
            if ("1".equals(System.getenv("SKEP_REQUIRE_DOCKER")) || "1".equals(System.getenv("SKEP_REQUIRE_NETNS"))) {
                fail("SKEP_REQUIRE_DOCKER/SKEP_REQUIRE_NETNS=1, but the DNS scenario cannot run: " + missing);
            }
            assumeTrue(false, "the DNS scenario cannot run here (" + missing + ")");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            status = DnsScenario.run(
                    DnsScenario.Options.parse(
                            "--rounds=1", "--warmup-rounds=0", "--seconds=1", "--warmup=1", "--window=16"),
                    out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, output);
        Matcher id = Pattern.compile("DNS scenario ([a-z0-9]+):").matcher(output);
        assertTrue(id.find(), output);
        for (Leg leg : Leg.values()) {
            Matcher line = Pattern.compile("round 1  " + leg.option + " +(\\S+) qps .* wrong 0 ")
                    .matcher(output);
            assertTrue(line.find(), output);
            assertTrue(Double.parseDouble(line.group(1)) > 0, output);
        }
        assertTrue(output.contains("skep ÷ Docker (queries/s, within each round): "), output);
        String tag = "skepbench-dns-" + id.group(1);
        assertFalse(Commands.ok("ip", "netns", "list").contains(tag), "namespace left");
        assertFalse(Commands.ok("ip", "link", "show").contains("sbdns" + id.group(1)), "veth left");
        assertEquals("", Commands.ok("docker", "ps", "-aq", "--filter", "label=io.skep.bench.run=" + id.group(1)));
        assertEquals("", Commands.ok("docker", "network", "ls", "-q", "--filter", "name=" + tag));
        assertEquals("", Commands.ok("docker", "images", "-q", "--filter", "label=io.skep.bench.run=" + id.group(1)));
    }
}
