package io.skep.core.testing;

import java.time.Duration;

/** Waits on a condition with a deadline: the only way tests wait. */
public final class Await {
    private Await() {}

    /** A condition that may throw while the system is still getting there. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    public static void until(Duration timeout, String what, Condition condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        AssertionError last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
                last = null;
            } catch (Exception | AssertionError e) {
                last = new AssertionError(e.getMessage(), e);
            }
            try {
                Thread.sleep(50); // polling interval of the condition, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what, last);
    }
}
