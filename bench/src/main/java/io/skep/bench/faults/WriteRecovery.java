package io.skep.bench.faults;

import io.skep.bench.faults.History.Outcome;
import io.skep.bench.faults.History.Write;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How soon the swarm takes writes again after a heal: through every manager at once, a probe writes its own service
 * ({@code probe-m1}, … : version-checked updates, recorded in the history and checked like every other write) until
 * one is acknowledged, or the bound is over. Probe services have no replicas: they only carry writes.
 */
final class WriteRecovery {
    private static final Duration RETRY = Duration.ofMillis(50);

    private WriteRecovery() {}

    /** The probe service written through {@code m}. */
    static String probe(ManagerProcess m) {
        return "probe-" + m.name();
    }

    /**
     * @param any      seconds from the heal to the first write acknowledged through any manager (NaN: none)
     * @param every    seconds until every manager had one acknowledged (NaN: not all did)
     * @param failures the managers that took no write within the bound, each with its last answer
     */
    record Result(double any, double every, Map<String, String> failures) {}

    /** Probes every manager from now until each has a write acknowledged or {@code bound} after the heal. */
    static Result measure(FaultSwarm swarm, ServiceWriter writer, long healNanos, Duration bound)
            throws InterruptedException {
        List<ManagerProcess> managers = swarm.managers();
        ExecutorService pool = Executors.newFixedThreadPool(managers.size(), r -> {
            Thread t = new Thread(r, "skep-faults-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Write>> probes = new ArrayList<>();
            for (ManagerProcess m : managers) {
                probes.add(pool.submit(() -> probeUntilAcknowledged(m, writer, healNanos + bound.toNanos())));
            }
            double any = Double.NaN;
            double every = 0;
            Map<String, String> failures = new TreeMap<>();
            for (int i = 0; i < managers.size(); i++) {
                Write last = probes.get(i).get();
                if (last != null && last.outcome() == Outcome.ACKNOWLEDGED) {
                    double seconds = (last.completedNanos() - healNanos) / 1e9;
                    any = Double.isNaN(any) ? seconds : Math.min(any, seconds);
                    every = Math.max(every, seconds);
                } else {
                    failures.put(managers.get(i).name(), last == null ? "its reads failed" : last.toString());
                    every = Double.NaN;
                }
            }
            return new Result(any, every, failures);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a probe failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writes through {@code m} until a write is acknowledged or the deadline passes; returns the last write. */
    private static Write probeUntilAcknowledged(ManagerProcess m, ServiceWriter writer, long deadlineNanos)
            throws InterruptedException {
        Write last = null;
        while (System.nanoTime() < deadlineNanos) {
            Write w = writer.update(
                    m, probe(m), "probe-" + m.name() + "-" + writer.history().nextId());
            last = w == null ? last : w;
            if (w != null && w.outcome() == Outcome.ACKNOWLEDGED) {
                return w;
            }
            Thread.sleep(RETRY);
        }
        return last;
    }
}
