package io.skep.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.skep.bench.FileTrees;
import io.skep.bench.faults.Nemesis.Kind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A short run of the fault-injection harness against the image: 3 managers in network namespaces, 10 faults of
 * every kind, writes through every manager all along. It fails on any violation of the history, a lost
 * acknowledged write, a service that does not settle at its replica count, or a manager that takes no write within
 * the bound after a heal. It needs root and {@code ip netns} (and the image); without them it is skipped, unless
 * {@code SKEP_REQUIRE_NETNS=1} (CI) makes that a failure.
 */
class FaultHarnessTest {
    private static final int PER_KIND = 10;

    @Test
    void tenFaultsOfEveryKindLoseNoAcknowledgedWriteAndTheSwarmHealsEachTime() throws Exception {
        Path skep = FileTrees.findUp(Path.of(""), "distribution/target/skep/bin/skep");
        String missing = skep == null
                ? "no image built (distribution/target/skep/bin/skep)"
                : NamespaceNetwork.unavailableReason();
        if (missing != null) {
            if ("1".equals(System.getenv("SKEP_REQUIRE_NETNS"))) {
                fail("SKEP_REQUIRE_NETNS=1, but the fault harness cannot run: " + missing);
            }
            assumeTrue(
                    false,
                    "the fault harness cannot run here (" + missing + "; SKEP_REQUIRE_NETNS=1 makes this a failure)");
        }
        FaultScenario.Options o = FaultScenario.Options.parse(
                "--managers=3",
                "--faults=" + PER_KIND * Kind.values().length,
                "--hold=1500",
                "--clients=2",
                "--services=3",
                "--replicas=2",
                "--creates=1",
                "--skep=" + skep);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FaultScenario.Result r = FaultScenario.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(report);

        assertTrue(r.passed(), report);
        assertEquals(0, r.lost(), report);
        for (Kind kind : Kind.values()) {
            assertEquals(
                    PER_KIND,
                    r.checkpoints().stream().filter(c -> c.kind() == kind).count(),
                    kind + "\n" + report);
        }
        for (FaultScenario.Checkpoint c : r.checkpoints()) {
            assertTrue(!Double.isNaN(c.settled()), c + "\n" + report);
            assertTrue(c.kind() == null || c.everyWrite() <= o.writeBound().toSeconds(), c + "\n" + report);
        }
        // the run wrote through its faults: acknowledged updates and creates, the creates' services all there
        assertTrue(r.history().count(History.Kind.UPDATE, History.Outcome.ACKNOWLEDGED) >= 100, report);
        assertTrue(r.history().count(History.Kind.CREATE, History.Outcome.ACKNOWLEDGED) >= 10, report);
        assertTrue(r.services() >= 3 + 3 + 10, report);
    }
}
