package io.skep.bench.faults;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting on a condition with a deadline: it is asked every {@code every} until it holds or time is up. */
final class Poll {
    private Poll() {}

    /** Whether {@code condition} held within {@code within}. */
    static boolean until(Duration within, Duration every, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Duration.ofNanos(Math.min(left, every.toNanos())));
        }
        return true;
    }
}
