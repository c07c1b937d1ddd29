package io.skep.bench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The many-node scenario's command line and report (the scenario itself runs processes: see the bench README). */
class ClusterScenarioTest {

    @Test
    void optionsAreReadAndBadOnesNamed() {
        ClusterScenario.Options o =
                ClusterScenario.Options.parse("--rounds=5", "--skep=/opt/skep/bin/skep", "--dir=/var/tmp");
        assertEquals(new ClusterScenario.Options(5, Path.of("/opt/skep/bin/skep"), Path.of("/var/tmp")), o);
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> ClusterScenario.Options.parse("--rounds=0", "--skep=/x"))
                .getMessage()
                .contains("at least 1"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> ClusterScenario.Options.parse("--nodes=3", "--skep=/x"))
                .getMessage()
                .contains("unknown option '--nodes'"));
        assertEquals(
                "",
                assertThrows(IllegalArgumentException.class, () -> ClusterScenario.Options.parse("--help"))
                        .getMessage());
    }

    @Test
    void theReportGivesMediansAgainstSwarmsDefaultsAndTheGoals() {
        assertEquals(2.0, ClusterScenario.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(1.5, ClusterScenario.median(List.of(2.0, 1.0)));
        String report = ClusterScenario.report(1.5, 1.2, 3);
        assertTrue(report.contains("a worker") && report.contains("1.50") && report.contains("0.10"), report);
        assertTrue(
                report.contains("the leader")
                        && report.contains("1.20")
                        && report.contains("0.12")
                        && report.contains("0.60"),
                report);
    }
}
