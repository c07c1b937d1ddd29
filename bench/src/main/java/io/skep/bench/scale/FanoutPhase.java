package io.skep.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.bench.SkepDaemon;
import io.skep.bench.TextTable;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The scale scenario's peer-table fan-out ({@code --fanout=N}): what it takes the managers to tell every node of a
 * network that a task joined it. One overlay network, one service of a task per simulated worker on it (each node's
 * views then hold every other node's endpoint and every running task), and then {@code N} changes, one at a time:
 * the service scaled up by one. For each change, from the moment the new task was reported running by its node
 * until each other node's views hold it (as a peer: reachable; as a running task of the service: resolvable), and
 * the bytes of the task sets fetched meanwhile, by all nodes. The views of a whole set are fetched once beside, so
 * the report can say what the same fetches would have carried whole.
 */
final class FanoutPhase {
    /** Subnet of the phase's network: the benchmarking range (no address of it is ever used on a wire here). */
    static final String SUBNET = "198.18.0.0/16";
    /** How long the fetches must stay quiet after a change has reached every node before its bytes are counted. */
    private static final Duration QUIET = Duration.ofMillis(500);

    private FanoutPhase() {}

    /** One change's figures: per other node the delay in ms, and the bytes and sets fetched in all. */
    record Change(double[] millis, long bytes, long sets) {}

    static void run(SkepDaemon manager, LightAgents fleet, int workers, int changes, Duration timeout, PrintStream out)
            throws Exception {
        manager.ok(
                "POST",
                "/networks/create",
                Map.of(
                        "Name",
                        "fanout",
                        "Driver",
                        "overlay",
                        "IPAM",
                        Map.of("Config", List.of(Map.of("Subnet", SUBNET)))));
        long t0 = System.nanoTime();
        fleet.watch(workers);
        JsonNode created = manager.ok("POST", "/services/create", spec(workers));
        String serviceId = created.path("ID").asText();
        SkepDaemon.await(
                "every node to see the " + workers + " tasks of the network",
                timeout,
                Duration.ofMillis(50),
                () -> fleet.seen() >= workers);
        out.printf(
                "Fan-out: network %s, service fanout of %d tasks (one a node) on it: every node's views hold them all"
                        + " %.2f s after the create%n",
                SUBNET, workers, (System.nanoTime() - t0) / 1e9);
        long whole = fleet.wholeSetBytes(timeout);

        List<Change> measured = new ArrayList<>();
        for (int i = 1; i <= changes; i++) {
            measured.add(change(manager, fleet, serviceId, workers + i, timeout));
        }
        out.print(report(workers, whole, measured));
    }

    /** Scales the service to {@code replicas} and times the new task's way to every other node. */
    private static Change change(
            SkepDaemon manager, LightAgents fleet, String serviceId, int replicas, Duration timeout)
            throws InterruptedException {
        awaitQuiet(fleet, timeout);
        long bytes0 = fleet.fetchedBytes();
        long sets0 = fleet.fetchedSets();
        fleet.watch(replicas);
        JsonNode service = manager.ok("GET", "/services/" + serviceId, null);
        Map<String, Object> spec = spec(replicas);
        manager.ok(
                "POST",
                "/services/" + serviceId + "/update?version="
                        + service.path("Version").path("Index").asLong(),
                spec);
        // Every node but the new task's own sees it come (its own has it among its tasks, not its peers): all of them.
        int nodes = fleet.seenAt().length;
        SkepDaemon.await(
                "every node to see task " + replicas + " of the network",
                timeout,
                Duration.ofMillis(5),
                () -> fleet.seen() >= nodes && fleet.runningAt() != 0);
        SkepDaemon.await(
                "the new task's node to be known", timeout, Duration.ofMillis(5), () -> fleet.runningOn() >= 0);
        long started = fleet.runningAt();
        int own = fleet.runningOn();
        long[] at = fleet.seenAt();
        double[] millis = new double[at.length - 1];
        int n = 0;
        for (int i = 0; i < at.length; i++) {
            if (i != own) { // the new task's own node has it as its own task: not a fan-out
                millis[n++] = Math.max(0, at[i] - started) / 1e6;
            }
        }
        awaitQuiet(fleet, timeout);
        return new Change(millis, fleet.fetchedBytes() - bytes0, fleet.fetchedSets() - sets0);
    }

    /** Waits until no task set has been fetched for {@link #QUIET}: the last change has reached every node. */
    private static void awaitQuiet(LightAgents fleet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sets = fleet.fetchedSets();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < QUIET.toNanos()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the task sets never stopped changing");
            }
            Thread.sleep(10);
            long now = fleet.fetchedSets();
            if (now != sets) {
                sets = now;
                quietSince = System.nanoTime();
            }
        }
    }

    static String report(int workers, long wholeBytes, List<Change> changes) {
        double[] all =
                changes.stream().flatMapToDouble(c -> Arrays.stream(c.millis())).toArray();
        Arrays.sort(all);
        double bytes = changes.stream().mapToLong(Change::bytes).average().orElse(Double.NaN);
        double sets = changes.stream().mapToLong(Change::sets).average().orElse(Double.NaN);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"A task started: until another node's views hold it", "p50", "p99", "max"});
        rows.add(new String[] {
            "%d changes x %d other nodes, ms".formatted(changes.size(), workers - 1),
            "%.0f".formatted(quantile(all, 0.50)),
            "%.0f".formatted(quantile(all, 0.99)),
            "%.0f".formatted(all.length == 0 ? Double.NaN : all[all.length - 1])
        });
        StringBuilder s = new StringBuilder();
        s.append(TextTable.columns(rows, 1));
        s.append(("Per change, fetched by all %d nodes: %.0f task sets, %.1f KB in all (%.0f bytes a set). The same"
                        + " sets with their views whole: %.1f MB (%.0f KB each); changes ÷ whole: %.4f%n")
                .formatted(
                        workers,
                        sets,
                        bytes / 1024,
                        bytes / sets,
                        sets * wholeBytes / 1048576.0,
                        wholeBytes / 1024.0,
                        bytes / (sets * wholeBytes)));
        s.append("Goal (the issue's): p99 ≤ 250 ms: %s%n".formatted(quantile(all, 0.99) <= 250 ? "met" : "not met"));
        return s.toString();
    }

    private static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** The phase's service: {@code replicas} host processes on the network, one a node while there are nodes. */
    private static Map<String, Object> spec(int replicas) {
        return Map.of(
                "Name",
                "fanout",
                "Mode",
                Map.of("Replicated", Map.of("Replicas", replicas)),
                "TaskTemplate",
                Map.of(
                        "ContainerSpec",
                        Map.of("Image", "host", "Command", List.of("sleep", "infinity")),
                        "Networks",
                        List.of(Map.of("Target", "fanout"))));
    }
}
