package io.skep.core.reconcile;

import io.skep.core.store.NoQuorumException;
import io.skep.core.store.StoreEvent;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader-side control loop: one thread that runs {@link #reconcile()} whenever the store changes in a
 * way it cares about, or when a deadline it asked for comes. Level-triggered: each pass reads the store
 * as it is and writes what differs, so a missed or merged wake-up costs nothing.
 */
public abstract class ReconcileLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileLoop.class);
    /**
     * The least time from the end of one pass to the start of the next: a burst of store events is merged into
     * few passes, while an event after a quiet spell is handled at once.
     */
    private static final long DEBOUNCE_NANOS = Duration.ofMillis(5).toNanos();

    private final String name;
    private final Object lock = new Object();
    private final Thread thread;
    private boolean dirty = true;
    private boolean closed;
    private long wakeAt = Long.MAX_VALUE;
    private long lastPassEnded = System.nanoTime() - DEBOUNCE_NANOS; // only the loop's thread uses it
    private boolean withoutQuorum; // likewise

    @SuppressWarnings("this-escape") // the thread only gets this loop once start() runs, after construction
    protected ReconcileLoop(String name) {
        this.name = name;
        this.thread = Thread.ofPlatform().daemon().name("skep-" + name).unstarted(this::run);
    }

    public final void start() {
        thread.start();
    }

    /** Whether these events may change what this loop would write. */
    protected abstract boolean interested(List<StoreEvent> events);

    /** One pass. Exceptions are logged and the pass is retried on the next wake-up. */
    protected abstract void reconcile() throws Exception;

    /**
     * One pass now, on the caller's thread: for tests and benchmarks that drive loops pass by pass, never on a
     * loop that was {@link #start() started}.
     */
    public final void passNow() throws Exception {
        if (thread.isAlive()) {
            throw new IllegalStateException(name + " runs on its own thread");
        }
        reconcile();
    }

    public final void onEvents(List<StoreEvent> events) {
        if (interested(events)) {
            wake();
        }
    }

    public final void wake() {
        synchronized (lock) {
            dirty = true;
            lock.notifyAll();
        }
    }

    /**
     * Asks for a pass no later than {@code delay} from now (restart delays, retries). The earliest time asked for
     * holds until it comes, whatever passes run before it.
     */
    protected final void wakeIn(Duration delay) {
        long at = System.nanoTime() + Math.max(0, delay.toNanos());
        synchronized (lock) {
            if (at < wakeAt) {
                wakeAt = at;
                lock.notifyAll();
            }
        }
    }

    private void run() {
        while (true) {
            synchronized (lock) {
                while (!closed && !dirty && System.nanoTime() < wakeAt) {
                    long waitNanos = wakeAt == Long.MAX_VALUE ? 0 : wakeAt - System.nanoTime();
                    try {
                        if (waitNanos == 0) {
                            lock.wait();
                        } else {
                            lock.wait(Math.max(1, waitNanos / 1_000_000), 0);
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                dirty = false;
                if (System.nanoTime() >= wakeAt) {
                    wakeAt = Long.MAX_VALUE; // a time not yet come stays: a pass for other reasons may not ask again
                }
            }
            debounce();
            try {
                reconcile();
                if (withoutQuorum) {
                    withoutQuorum = false;
                    LOG.info("{}: the store takes writes again", name);
                }
            } catch (NoQuorumException e) {
                // A state, not a fault: said once, and retried until the quorum is back or leadership goes.
                if (!withoutQuorum) {
                    withoutQuorum = true;
                    LOG.info("{}: the store takes no writes (no quorum); retrying", name);
                }
                wakeIn(Duration.ofMillis(500));
            } catch (Exception e) {
                LOG.warn("{} pass failed, retrying: {}", name, e.toString(), e);
                wakeIn(Duration.ofMillis(500));
            }
            lastPassEnded = System.nanoTime();
        }
    }

    private void debounce() {
        long until = lastPassEnded + DEBOUNCE_NANOS;
        synchronized (lock) {
            long left;
            while (!closed && (left = until - System.nanoTime()) > 0) {
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
