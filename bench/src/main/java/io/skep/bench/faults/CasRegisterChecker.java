package io.skep.bench.faults;

import io.skep.bench.faults.History.Observation;
import io.skep.bench.faults.History.Outcome;
import io.skep.bench.faults.History.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks that the history of one service is linearizable as a compare-and-set register.
 *
 * <p><b>The model.</b> The register's state is a version and a value (the service's {@code Version.Index} and one
 * label). A client reads a state {@code (r, p)} and writes a new value {@code x} "if the version is still
 * {@code r}" ({@code POST /services/{id}/update?version=r}); the store gives the new state a version above
 * {@code r} (the index of the Raft entry). Other writers (the orchestrator's status patches) may move the version
 * on without touching the value. Every write's value is unique in the run.
 *
 * <p><b>Why this needs no search.</b> With unique values, the order of the committed writes is fixed by the data:
 * each committed write names the value it replaced (the one it read), so the writes form a chain from the initial
 * value, and a read of a state tells where in that chain it was taken. A committed value is always seen by some
 * read: the write that replaces it had to read it first (every client read is recorded), and the last one is the
 * final state, which the harness reads. So an acknowledged write that no read ever showed is lost, and an
 * indeterminate one that no read showed did not take effect. What is left is to check that chain:
 * <ol>
 *   <li>every value seen was written (or is the initial one), and no refused write's value was ever seen;</li>
 *   <li>every acknowledged write was seen (else it is <b>lost</b>);</li>
 *   <li>no two committed writes replaced the same value (two acknowledged updates from one read version are two
 *       winners of one compare-and-set), and every committed write replaced a committed value: the committed
 *       writes form one chain from the initial value, and the final state is its end;</li>
 *   <li>versions agree with the chain: a write's value is only ever seen at versions above the one it was made
 *       from, and the value it replaced never at a version above that (else the compare-and-set passed on a state
 *       that was not current);</li>
 *   <li>a state's {@code PreviousSpec} holds the value its write read (the update applied on top of the state it
 *       named);</li>
 *   <li>real time: a write acknowledged before another acknowledged one was sent comes first in the chain.</li>
 * </ol>
 * Reads themselves are not ordered in real time: a follower answers from its own copy, which may lag (as Swarm's
 * do), so only the states they show count, not when they were seen.
 */
final class CasRegisterChecker {

    private CasRegisterChecker() {}

    /**
     * What the check found.
     *
     * @param violations what breaks linearizability, each said with the writes involved (empty: linearizable)
     * @param lost       the acknowledged writes never seen (also among the violations)
     * @param chain      the committed writes in their order
     */
    record Result(List<String> violations, List<Write> lost, List<Write> chain) {
        boolean linearizable() {
            return violations.isEmpty();
        }
    }

    /**
     * @param initial      the value before any write
     * @param writes       the updates of this service (any outcome)
     * @param observations the states of this service that reads showed
     * @param finalState   the service's state once no write is in flight, or null when unknown
     */
    static Result check(String initial, List<Write> writes, List<Observation> observations, Observation finalState) {
        List<String> violations = new ArrayList<>();
        Map<String, Write> byValue = new HashMap<>();
        for (Write w : writes) {
            if (byValue.put(w.value(), w) != null) {
                throw new IllegalArgumentException("two writes of the value " + w.value() + ": values must be unique");
            }
        }
        List<Observation> seen = new ArrayList<>(observations);
        if (finalState != null) {
            seen.add(finalState);
        }
        // Versions at which each value was seen; values seen as a previous value (no version of their own).
        Map<String, TreeSet<Long>> versions = new HashMap<>();
        Set<String> seenValues = new HashSet<>();
        for (Observation o : seen) {
            versions.computeIfAbsent(o.value(), k -> new TreeSet<>()).add(o.version());
            seenValues.add(o.value());
            if (o.previousValue() != null) {
                seenValues.add(o.previousValue());
            }
        }

        // 1. Nothing seen that no one wrote; no refused write seen.
        for (String v : seenValues) {
            if (!v.equals(initial) && !byValue.containsKey(v)) {
                violations.add("the value " + v + " was seen (versions " + versions.getOrDefault(v, new TreeSet<>())
                        + ") but never written");
            }
        }
        for (Write w : writes) {
            if (w.outcome() == Outcome.REFUSED && seenValues.contains(w.value())) {
                TreeSet<Long> at = versions.get(w.value());
                violations.add("refused " + w + " took effect: its value was seen"
                        + (at == null ? " as a previous value" : " at version " + at.first()));
            }
        }

        // 2. Every acknowledged write seen. Committed: acknowledged, or seen.
        List<Write> lost = new ArrayList<>();
        Map<String, Write> committedByReadValue = new LinkedHashMap<>();
        List<Write> committed = new ArrayList<>();
        for (Write w : writes) {
            boolean wasSeen = seenValues.contains(w.value());
            if (w.outcome() == Outcome.ACKNOWLEDGED && !wasSeen) {
                lost.add(w);
                violations.add("lost: acknowledged " + w + " was never seen by any read");
            }
            if (w.outcome() == Outcome.ACKNOWLEDGED || wasSeen) {
                committed.add(w);
            }
        }

        // 3. One chain: no value replaced twice, each committed write on a committed value, the final state its end.
        for (Write w : committed) {
            Write other = committedByReadValue.putIfAbsent(w.readValue(), w);
            if (other != null) {
                boolean bothAcknowledged =
                        other.outcome() == Outcome.ACKNOWLEDGED && w.outcome() == Outcome.ACKNOWLEDGED;
                violations.add((bothAcknowledged && other.readVersion() == w.readVersion()
                                ? "two acknowledged updates from the same read version " + w.readVersion() + ": "
                                : "two writes replaced the same value " + w.readValue() + ": ")
                        + other + " and " + w);
            }
        }
        Set<String> committedValues = new HashSet<>();
        committed.forEach(w -> committedValues.add(w.value()));
        for (Write w : committed) {
            if (!w.readValue().equals(initial) && !committedValues.contains(w.readValue())) {
                violations.add(w + " replaced the value " + w.readValue() + ", which never took effect");
            }
        }
        List<Write> chain = new ArrayList<>();
        Set<String> replaced = new HashSet<>();
        for (String v = initial; committedByReadValue.containsKey(v) && replaced.add(v); ) {
            Write next = committedByReadValue.get(v);
            chain.add(next);
            v = next.value();
        }
        Set<Write> inChain = new HashSet<>(chain);
        for (Write w : committed) {
            // (a fork's second write, and a write on a value that never took effect, are reported above)
            if (!inChain.contains(w)
                    && committedByReadValue.get(w.readValue()) == w
                    && (w.readValue().equals(initial) || committedValues.contains(w.readValue()))) {
                violations.add(w + " is not reached from the initial value through the chain of committed writes");
            }
        }
        String end = chain.isEmpty() ? initial : chain.getLast().value();
        if (finalState != null && !finalState.value().equals(end)) {
            violations.add("the final state (version " + finalState.version() + ") holds " + finalState.value()
                    + ", but the chain of committed writes ends with " + end);
        }

        // 4. Versions agree with the chain.
        for (Write w : committed) {
            TreeSet<Long> own = versions.get(w.value());
            if (own != null && own.first() <= w.readVersion()) {
                violations.add(w + " was seen at version " + own.first() + ", not above the version it was made from");
            }
            TreeSet<Long> before = versions.get(w.readValue());
            if (before != null && before.last() > w.readVersion()) {
                violations.add("the value " + w.readValue() + " was still seen at version " + before.last()
                        + " although " + w + " replaced it at version " + w.readVersion());
            }
        }

        // 5. Each state's previous value is what its write read.
        for (Observation o : seen) {
            Write w = byValue.get(o.value());
            if (w != null && o.previousValue() != null && !o.previousValue().equals(w.readValue())) {
                violations.add(w + " read " + w.readValue() + " but applied on top of " + o.previousValue()
                        + " (state at version " + o.version() + " via " + o.via() + ")");
            }
        }

        // 6. Real time: walking the chain backwards, no acknowledged write may have completed before an earlier one
        // in the chain was sent.
        Write earliestLater = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Write w = chain.get(i);
            if (w.outcome() != Outcome.ACKNOWLEDGED) {
                continue;
            }
            if (earliestLater != null && earliestLater.completedNanos() < w.invokedNanos()) {
                violations.add(earliestLater + " was acknowledged before " + w + " was sent, yet comes after it");
            }
            if (earliestLater == null || w.completedNanos() < earliestLater.completedNanos()) {
                earliestLater = w;
            }
        }
        return new Result(List.copyOf(violations), List.copyOf(lost), List.copyOf(chain));
    }
}
