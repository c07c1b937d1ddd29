package io.skep.bench.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.bench.overlay.OverlayReport.Round;
import io.skep.bench.overlay.OverlayReport.Sample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The overlay scenario's command line, percentiles and report, without a swarm (the overlay acceptance test forms
 * one; the scenario itself is run by hand).
 */
class OverlayScenarioTest {
    private static final String SKEP = "--skep=/opt/skep/bin/skep";

    @Test
    void optionsHaveDefaultsAndTakeEachValue() {
        OverlayScenario.Options d = OverlayScenario.Options.parse(SKEP);
        assertEquals(15, d.rounds());
        assertEquals(256, d.mib());
        assertEquals(20, d.samples());
        assertEquals(Path.of("/opt/skep/bin/skep"), d.skep());
        assertEquals("-Xmx384m", d.daemonOpts());

        OverlayScenario.Options o = OverlayScenario.Options.parse(
                SKEP, "--rounds=3", "--mib=64", "--samples=7", "--dir=/var/tmp", "--daemon-opts=-Xmx256m");
        assertEquals(3, o.rounds());
        assertEquals(64, o.mib());
        assertEquals(7, o.samples());
        assertEquals(Path.of("/var/tmp"), o.dir());
        assertEquals("-Xmx256m", o.daemonOpts());
    }

    @Test
    void badOptionsAreRefusedNamingTheOption() {
        assertEquals(
                "--rounds must be at least 1, got 0",
                refused(SKEP, "--rounds=0").getMessage());
        assertEquals("--mib: not a number: 'lots'", refused(SKEP, "--mib=lots").getMessage());
        assertEquals("unknown option '--nodes'", refused(SKEP, "--nodes=5").getMessage());
        assertEquals("expected --name=value, got 'fast'", refused(SKEP, "fast").getMessage());
        assertEquals("", refused("--help").getMessage(), "--help asks for the usage alone");
    }

    private static IllegalArgumentException refused(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> OverlayScenario.Options.parse(args));
    }

    @Test
    void percentilesAreNearestRank() {
        double[] twenty = new double[20];
        for (int i = 0; i < twenty.length; i++) {
            twenty[i] = 20 - i; // 20, 19, ..., 1: unsorted on purpose
        }
        assertEquals(10, OverlayReport.percentile(twenty, 50));
        assertEquals(20, OverlayReport.percentile(twenty, 99), "p99 of 20 samples is the largest");
        assertEquals(19, OverlayReport.percentile(twenty, 95));
        assertEquals(1, OverlayReport.percentile(twenty, 0));
        assertEquals(3, OverlayReport.percentile(new double[] {5, 1, 3}, 50), "the median of an odd count");
        assertTrue(Double.isNaN(OverlayReport.percentile(new double[0], 50)));
    }

    @Test
    void theReportGivesTheRatioTheDelaysAndTheGoals() {
        OverlayScenario.Options o = OverlayScenario.Options.parse(SKEP, "--rounds=3", "--samples=4", "--mib=128");
        List<Round> rounds = List.of(new Round(1000, 960), new Round(1000, 900), new Round(800, 790));
        List<Sample> samples = new ArrayList<>();
        samples.add(new Sample("probe1", 40, 45));
        samples.add(new Sample("probe2", 60, 70));
        samples.add(new Sample("probe3", 80, 90));
        samples.add(new Sample("probe4", 300, 320));
        String text = OverlayReport.text(new OverlayReport.Result(o, "3 nodes", 6.25, 7.5, rounds, samples));

        assertTrue(text.startsWith("Overlay network: 3 nodes\n"), text);
        assertTrue(text.contains("128 MiB of TCP per transfer"), text);
        assertTrue(text.contains("straight to the task's address  median 1000.0 MiB/s (min 800.0, max 1000.0)"), text);
        assertTrue(text.contains("through the service's VIP       median 900.0 MiB/s (min 790.0, max 960.0)"), text);
        // ratios 0.96, 0.90, 0.9875: the median is 0.96, which meets the goal
        assertTrue(text.contains("median 0.960 (min 0.900, max 0.988); goal >= 0.95: met"), text);
        assertTrue(text.contains("VIP / direct, the two medians: 0.900"), text);
        assertTrue(text.contains("an exec through nsenter, 6.3 ms"), text);
        assertTrue(text.contains("4 samples"), text);
        assertTrue(text.contains("p50 60 ms, p99 300 ms, max 300 ms; goal p99 <= 250 ms: NOT met"), text);
        assertTrue(text.contains("(the VIP)                 p50 70 ms, p99 320 ms, max 320 ms"), text);
        assertTrue(text.contains("one failing poll takes 7.5 ms"), text);
    }
}
