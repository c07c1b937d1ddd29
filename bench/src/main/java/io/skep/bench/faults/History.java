package io.skep.bench.faults;

import io.skep.core.store.NoQuorumException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything the harness's clients did and saw, for the checker: every write with its outcome, and every state of
 * a service that a read showed. Times are this JVM's {@link System#nanoTime()}, the one clock the checker compares
 * (the nodes' clocks play no part).
 */
final class History {
    /** The label whose value each version-checked update sets, unique per write. */
    static final String LABEL = "io.skep.faults.value";
    /** The label's value on a service before any update. */
    static final String INITIAL = "initial";
    /**
     * Swarm's words for a write refused because there is no leader (HTTP 503), as the core says them. With more
     * words after them ({@link NoQuorumException#UNDER_WAY}), the write was proposed before the leader was lost and
     * may still take effect.
     */
    static final String NO_LEADER = NoQuorumException.MESSAGE;

    enum Kind {
        UPDATE,
        CREATE
    }

    enum Outcome {
        /** 2xx: the write took effect. */
        ACKNOWLEDGED,
        /** 409 (stale version) or 503 without a leader before it was proposed: the write did not take effect. */
        REFUSED,
        /** A timeout, a broken connection, any other status: it may or may not have taken effect. */
        INDETERMINATE;

        /** What an answer says of the write that asked it. */
        static Outcome of(int status, String message) {
            if (status >= 200 && status < 300) {
                return ACKNOWLEDGED;
            }
            if (status == 409 || status == 503 && message.equals(NO_LEADER)) {
                return REFUSED;
            }
            return INDETERMINATE;
        }
    }

    /**
     * One write.
     *
     * @param service      the service's name (a create's new name)
     * @param via          the manager it was sent to
     * @param readVersion  the version the update was made from ({@code ?version=}); -1 for a create
     * @param readValue    the label's value in the state read at {@code readVersion}; null for a create
     * @param value        the label's new value (a create: the new service's name); unique in the run
     * @param invokedNanos when the request was sent
     * @param completedNanos when its answer (or failure) came
     * @param detail       the status and message, or the failure
     */
    record Write(
            long id,
            Kind kind,
            String service,
            String via,
            long readVersion,
            String readValue,
            String value,
            long invokedNanos,
            long completedNanos,
            Outcome outcome,
            String detail) {
        @Override
        public String toString() {
            return "write #" + id + " (" + kind.name().toLowerCase() + " of " + service + " via " + via
                    + (kind == Kind.UPDATE ? " from version " + readVersion + " [" + readValue + "]" : "") + " -> "
                    + value + ": " + outcome.name().toLowerCase() + ", " + detail + ")";
        }
    }

    /**
     * A state of a service as a read showed it: its version, the label's value, and the label's value in its
     * previous spec ({@code PreviousSpec}: the state the last update replaced; null before any update).
     */
    record Observation(String service, long version, String value, String previousValue, String via) {}

    private final AtomicLong ids = new AtomicLong();
    private final List<Write> writes = new ArrayList<>();
    private final List<Observation> observations = new ArrayList<>();

    long nextId() {
        return ids.incrementAndGet();
    }

    synchronized void add(Write w) {
        writes.add(w);
    }

    synchronized void add(Observation o) {
        observations.add(o);
    }

    synchronized List<Write> writes() {
        return List.copyOf(writes);
    }

    synchronized List<Observation> observations() {
        return List.copyOf(observations);
    }

    /** Counts of the writes by outcome, for the report. */
    synchronized long count(Kind kind, Outcome outcome) {
        return writes.stream()
                .filter(w -> w.kind() == kind && w.outcome() == outcome)
                .count();
    }

    /** The refused writes whose detail starts with {@code status}, e.g. {@code "409"}. */
    synchronized long refusedWith(String status) {
        return writes.stream()
                .filter(w -> w.outcome() == Outcome.REFUSED && w.detail().startsWith(status))
                .count();
    }
}
