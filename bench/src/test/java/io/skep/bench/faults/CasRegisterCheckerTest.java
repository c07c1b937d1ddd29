package io.skep.bench.faults;

import static io.skep.bench.faults.History.INITIAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.bench.faults.History.Kind;
import io.skep.bench.faults.History.Observation;
import io.skep.bench.faults.History.Outcome;
import io.skep.bench.faults.History.Write;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compare-and-set checker, fed histories that are linearizable and histories that are not. */
class CasRegisterCheckerTest {
    private final List<Write> writes = new ArrayList<>();
    private final List<Observation> reads = new ArrayList<>();
    private long clock;

    /** A client read {@code (version, value)} (and the value before it), then wrote {@code next} from it. */
    private Write update(long version, String value, String previous, String next, Outcome outcome) {
        reads.add(new Observation("s", version, value, previous, "m1"));
        long invoked = clock += 10;
        long completed = clock += 10;
        Write w = new Write(
                writes.size() + 1,
                Kind.UPDATE,
                "s",
                "m1",
                version,
                value,
                next,
                invoked,
                completed,
                outcome,
                outcome.name());
        writes.add(w);
        return w;
    }

    private void read(long version, String value, String previous) {
        reads.add(new Observation("s", version, value, previous, "m2"));
    }

    private CasRegisterChecker.Result check(long version, String value, String previous) {
        return CasRegisterChecker.check(
                INITIAL, writes, reads, new Observation("s", version, value, previous, "final"));
    }

    private static void assertViolation(CasRegisterChecker.Result r, String expected) {
        assertTrue(
                r.violations().stream().anyMatch(v -> v.contains(expected)),
                "expected a violation saying '" + expected + "', got " + r.violations());
    }

    /** A history of a contended register: stale reads, refusals, orchestrator bumps, unknown outcomes. */
    private void goodHistory() {
        update(10, INITIAL, null, "a", Outcome.ACKNOWLEDGED); // -> version 12
        update(10, INITIAL, null, "lost-race", Outcome.REFUSED); // 409: a came first
        update(12, "a", INITIAL, "b", Outcome.INDETERMINATE); // timed out, but took effect -> 15
        read(12, "a", INITIAL); // a stale follower read
        update(16, "b", "a", "c", Outcome.ACKNOWLEDGED); // 16: the orchestrator bumped b's version
        update(15, "b", "a", "never", Outcome.INDETERMINATE); // timed out, did not take effect
        update(20, "c", "b", "nobody-leader", Outcome.REFUSED); // 503
    }

    @Test
    void aLinearizableHistoryPassesWithItsChainInOrder() {
        goodHistory();
        CasRegisterChecker.Result r = check(20, "c", "b");
        assertEquals(List.of(), r.violations());
        assertEquals(
                List.of("a", "b", "c"), r.chain().stream().map(Write::value).toList());
        assertEquals(List.of(), r.lost());
    }

    @Test
    void anAcknowledgedWriteNoReadShowedIsLost() {
        goodHistory();
        Write d = update(20, "c", "b", "d", Outcome.ACKNOWLEDGED);
        // the final state still holds c: d vanished
        CasRegisterChecker.Result r = check(22, "c", "b");
        assertEquals(List.of(d), r.lost());
        assertViolation(r, "lost: acknowledged write #" + d.id());
    }

    @Test
    void twoAcknowledgedUpdatesFromOneReadVersionAreTwoWinnersOfOneCompareAndSet() {
        update(10, INITIAL, null, "a", Outcome.ACKNOWLEDGED);
        update(10, INITIAL, null, "b", Outcome.ACKNOWLEDGED);
        read(11, "a", INITIAL);
        CasRegisterChecker.Result r = check(12, "b", INITIAL);
        assertViolation(r, "two acknowledged updates from the same read version 10");
    }

    @Test
    void aRefusedWriteThatTookEffectIsAViolation() {
        goodHistory();
        update(20, "c", "b", "d", Outcome.REFUSED);
        CasRegisterChecker.Result r = check(21, "d", "c");
        assertViolation(r, "took effect: its value was seen at version 21");
    }

    @Test
    void aValueNobodyWroteIsAViolation() {
        goodHistory();
        read(30, "ghost", "c");
        assertViolation(check(30, "ghost", "c"), "the value ghost was seen");
    }

    @Test
    void theFinalStateMustBeTheEndOfTheChain() {
        goodHistory();
        // c was acknowledged after b, yet the final state shows b again (at a later version)
        CasRegisterChecker.Result r = check(25, "b", "a");
        assertViolation(r, "the final state (version 25) holds b, but the chain of committed writes ends with c");
        assertViolation(r, "the value b was still seen at version 25");
    }

    @Test
    void aWriteSeenAtOrBelowTheVersionItWasMadeFromIsAViolation() {
        update(10, INITIAL, null, "a", Outcome.ACKNOWLEDGED);
        CasRegisterChecker.Result r = check(9, "a", INITIAL);
        assertViolation(r, "was seen at version 9, not above the version it was made from");
    }

    @Test
    void anUpdateMustApplyOnTopOfTheStateItRead() {
        update(10, INITIAL, null, "a", Outcome.ACKNOWLEDGED);
        update(12, "a", INITIAL, "b", Outcome.ACKNOWLEDGED);
        // b's state says it replaced the initial value, not a
        CasRegisterChecker.Result r = check(14, "b", INITIAL);
        assertViolation(r, "read a but applied on top of " + INITIAL);
    }

    @Test
    void aWriteAcknowledgedBeforeAnotherWasSentMustComeFirst() {
        // x is acknowledged (t=20) before a is sent (t=30), yet x replaced a's value: x came later in the chain
        Write x = new Write(1, Kind.UPDATE, "s", "m1", 12, "a", "x", 10, 20, Outcome.ACKNOWLEDGED, "200");
        Write a = new Write(2, Kind.UPDATE, "s", "m2", 10, INITIAL, "a", 30, 40, Outcome.ACKNOWLEDGED, "200");
        writes.addAll(List.of(x, a));
        reads.add(new Observation("s", 10, INITIAL, null, "m2"));
        reads.add(new Observation("s", 12, "a", INITIAL, "m1"));
        CasRegisterChecker.Result r = check(14, "x", "a");
        assertViolation(
                r,
                "write #1 (update of s via m1 from version 12 [a] -> x: acknowledged, 200) was acknowledged "
                        + "before write #2");
    }

    @Test
    void anUpdateOnAValueThatNeverTookEffectIsAViolation() {
        update(10, INITIAL, null, "a", Outcome.INDETERMINATE); // never seen: did not take effect
        // ... yet b says it replaced a
        writes.add(new Write(9, Kind.UPDATE, "s", "m1", 12, "a", "b", 100, 110, Outcome.ACKNOWLEDGED, "200"));
        CasRegisterChecker.Result r = check(14, "b", null);
        assertViolation(r, "replaced the value a, which never took effect");
    }

    @Test
    void valuesMustBeUnique() {
        update(10, INITIAL, null, "a", Outcome.ACKNOWLEDGED);
        update(12, "a", INITIAL, "a", Outcome.ACKNOWLEDGED);
        assertThrows(IllegalArgumentException.class, () -> check(14, "a", "a"));
    }
}
