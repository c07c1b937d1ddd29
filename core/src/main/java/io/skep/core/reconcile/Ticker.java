package io.skep.core.reconcile;

/**
 * A monotonic time source in nanoseconds, as {@link System#nanoTime()}: what liveness deadlines (missed heartbeats,
 * lost connections) are measured with. The daemon gives {@link #SYSTEM}; a test gives one it advances by hand, so a
 * deadline is checked exactly and without waiting, however busy the machine is.
 */
@FunctionalInterface
public interface Ticker {

    /** The JVM's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    /** Nanoseconds since an arbitrary origin; only differences mean anything. */
    long nanos();
}
