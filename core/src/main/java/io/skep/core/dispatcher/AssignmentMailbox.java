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
 */
public final class AssignmentMailbox implements Consumer<NodeAssignments> {

    /** A node's assignments and their sequence number. */
    public record Assignments(long sequence, List<Task> tasks, List<NetworkView> networks) {
        public Assignments {
            tasks = tasks == null ? List.of() : tasks;
            networks = networks == null ? List.of() : networks;
        }

        /** What the node is given. */
        public NodeAssignments assignments() {
            return new NodeAssignments(tasks, networks);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Assignments latest = new Assignments(0, List.of(), List.of());
    private boolean closed;

    @Override
    public void accept(NodeAssignments assigned) {
        lock.lock();
        try {
            latest = new Assignments(latest.sequence() + 1, assigned.tasks(), assigned.networks());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The latest set once its sequence is past {@code after}; after {@code timeout} (or once closed), the latest set
     * whatever its sequence, so the caller can tell "no change" by the sequence.
     */
    public Assignments await(long after, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (latest.sequence() <= after && !closed && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            return latest;
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
