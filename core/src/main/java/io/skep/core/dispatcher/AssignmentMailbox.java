package io.skep.core.dispatcher;

import io.skep.api.model.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The assignments of a remote node's session, kept for the node to fetch: each new task set gets the next sequence
 * number, and a fetch waits for one newer than the last it saw (a long poll). Only the latest set is kept: it is
 * the node's whole task set, so a node that missed one loses nothing.
 *
 * <p>The views of the node's networks go whole only to a node that does not hold the set it was last handed: to one
 * that does (it fetches "after" that set's sequence), they go as {@link ViewChanges} from that set's views, which at
 * a thousand nodes on a network is a few hundred bytes instead of a few hundred KB.
 */
public final class AssignmentMailbox implements Consumer<NodeAssignments> {

    /**
     * A node's assignments and their sequence number: its tasks, and the views of their networks, whole
     * ({@code networks}) or as the changes from the set numbered {@code changes.base()} (then {@code networks} is
     * empty).
     */
    public record Assignments(long sequence, List<Task> tasks, List<NetworkView> networks, ViewChanges changes) {
        public Assignments {
            tasks = tasks == null ? List.of() : tasks;
            networks = networks == null ? List.of() : networks;
        }

        /** What the node is given, its views whole. */
        public NodeAssignments assignments() {
            if (changes != null) {
                throw new IllegalStateException("the views of set " + sequence + " came as changes");
            }
            return new NodeAssignments(tasks, networks);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Assignments latest = new Assignments(0, List.of(), List.of(), null);
    /** The set last handed to a fetch: the node holds it if its next fetch is after its sequence. */
    private Assignments handed;

    private boolean closed;

    @Override
    public void accept(NodeAssignments assigned) {
        lock.lock();
        try {
            latest = new Assignments(latest.sequence() + 1, assigned.tasks(), assigned.networks(), null);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The latest set once its sequence is past {@code after}; after {@code timeout} (or once closed), the latest set
     * whatever its sequence, so the caller can tell "no change" by the sequence. Its views are changes when the node
     * holds the set last handed out (see the class).
     */
    public Assignments await(long after, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (latest.sequence() <= after && !closed && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            Assignments answer = latest;
            if (handed != null && after > 0 && handed.sequence() == after) {
                answer = new Assignments(
                        latest.sequence(),
                        latest.tasks(),
                        List.of(),
                        ViewChanges.between(after, handed.networks(), latest.networks()));
            }
            handed = latest;
            return answer;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting fetch: the session has ended. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }
}
