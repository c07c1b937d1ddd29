package io.skep.bench.faults;

import static io.skep.bench.faults.History.INITIAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.bench.faults.History.Kind;
import io.skep.bench.faults.History.Observation;
import io.skep.bench.faults.History.Outcome;
import io.skep.bench.faults.History.Write;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The whole-run check: each register through the compare-and-set checker, and the creates against the swarm. */
class HistoryCheckerTest {

    private static Write create(long id, String name, Outcome outcome) {
        return new Write(id, Kind.CREATE, name, "m1", -1, null, name, id, id + 1, outcome, outcome.name());
    }

    private static Observation state(String name, long version, String value) {
        return new Observation(name, version, value, null, "final");
    }

    @Test
    void createsAndUpdatesThatAllAddUpPass() {
        Write update = new Write(1, Kind.UPDATE, "s1", "m1", 5, INITIAL, "a", 1, 2, Outcome.ACKNOWLEDGED, "200");
        List<Write> writes = List.of(
                update,
                create(2, "c1", Outcome.ACKNOWLEDGED),
                create(3, "c2", Outcome.REFUSED),
                create(4, "c3", Outcome.INDETERMINATE),
                create(5, "c4", Outcome.INDETERMINATE));
        Map<String, Observation> finals = Map.of(
                "s1",
                new Observation("s1", 7, "a", INITIAL, "final"),
                "c1",
                state("c1", 8, INITIAL),
                "c3",
                state("c3", 9, INITIAL));
        HistoryChecker.Findings f =
                HistoryChecker.check(writes, List.of(state("s1", 5, INITIAL)), Set.of("s1"), finals);
        assertEquals(List.of(), f.violations());
        assertEquals(0, f.lost());
        assertEquals(2, f.indeterminate());
        assertEquals(1, f.indeterminateApplied());
    }

    @Test
    void aLostCreateARefusedOneThatTookEffectAndAServiceNobodyMadeAreViolations() {
        List<Write> writes = List.of(create(1, "c1", Outcome.ACKNOWLEDGED), create(2, "c2", Outcome.REFUSED));
        Map<String, Observation> finals = Map.of(
                "s1",
                state("s1", 3, INITIAL),
                "c2",
                state("c2", 4, INITIAL),
                "stranger",
                state("stranger", 5, INITIAL));
        HistoryChecker.Findings f = HistoryChecker.check(writes, List.of(), Set.of("s1"), finals);
        assertEquals(1, f.lost());
        assertEquals(3, f.violations().size(), f.violations().toString());
        assertTrue(
                f.violations().get(0).startsWith("lost: acknowledged write #1"),
                f.violations().toString());
        assertTrue(
                f.violations().get(1).startsWith("refused write #2"),
                f.violations().toString());
        assertTrue(
                f.violations().get(2).contains("stranger is in the swarm, but nobody created it"),
                f.violations().toString());
    }

    @Test
    void aRegisterThatLostAnUpdateOrVanishedIsNamed() {
        Write update = new Write(1, Kind.UPDATE, "s1", "m1", 5, INITIAL, "a", 1, 2, Outcome.ACKNOWLEDGED, "200");
        HistoryChecker.Findings f = HistoryChecker.check(
                List.of(update),
                List.of(state("s1", 5, INITIAL)),
                Set.of("s1", "s2"),
                Map.of("s1", state("s1", 6, INITIAL), "s2", state("s2", 6, INITIAL)));
        assertEquals(1, f.lost());
        assertTrue(
                f.violations().stream().anyMatch(v -> v.startsWith("s1: lost: acknowledged write #1")),
                f.violations().toString());

        HistoryChecker.Findings gone = HistoryChecker.check(List.of(), List.of(), Set.of("s1"), Map.of());
        assertEquals(List.of("the service s1 is gone"), gone.violations());
    }
}
