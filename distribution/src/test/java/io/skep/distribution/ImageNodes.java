package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The nodes of a test of several: daemon processes of one image on loopback, each with its own folder (data,
 * socket, logs) under the test's, and waits that fail with every node's output.
 */
final class ImageNodes {
    static final Duration CONVERGE = Duration.ofSeconds(90);

    private final SkepImage image;
    private final Path dir;
    private final Map<String, Node> nodes = new LinkedHashMap<>();

    ImageNodes(SkepImage image, Path dir) {
        this.image = image;
        this.dir = dir;
    }

    /** A new node, started. */
    Node start(String name) {
        Node n = new Node(name);
        nodes.put(name, n);
        n.start();
        return n;
    }

    /** Every node started, in order. */
    Collection<Node> all() {
        return nodes.values();
    }

    /** Waits until {@code condition} holds, at most {@link #CONVERGE}. */
    void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                nodes.values()
                        .forEach(n -> logs.append("\n=== ")
                                .append(n.name)
                                .append(": ")
                                .append(n.daemon == null ? "" : n.daemon.describeOutput()));
                throw new AssertionError("timed out waiting for " + what + logs);
            }
            try {
                Thread.sleep(200); // polling interval of the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** One node: its folder and its daemon while it runs. */
    final class Node {
        final String name;
        final Path home;
        SkepImage.Daemon daemon;

        private Node(String name) {
            this.name = name;
            this.home = dir.resolve(name);
        }

        String host() {
            return "unix://" + home.resolve("skep.sock");
        }

        /** The environment of a CLI of this node. */
        Map<String, String> env() {
            return ImageTest.cliEnv(dir, host());
        }

        /** Starts (or restarts) the daemon on the node's data and waits until it answers. */
        void start() {
            daemon = image.startDaemon(
                    ImageTest.daemonEnv(dir, host()),
                    home.resolve("logs-" + System.nanoTime()),
                    "--data-dir",
                    home.resolve("data").toString(),
                    "--raft-port",
                    "0",
                    "--listen-addr",
                    "127.0.0.1:0",
                    "-H",
                    host());
            await(name + " to answer", () -> image.run(env(), "version").exitCode() == 0);
        }

        /** Runs a command of this node's CLI that must succeed; returns its output. */
        String ok(String... args) {
            SkepImage.Result r = image.run(env(), args);
            assertEquals(0, r.exitCode(), () -> name + ": " + r.describe() + "\n" + daemon.describeOutput());
            return r.stdout();
        }

        String nodeId() {
            return ok("info", "--format", "{{.Swarm.NodeID}}").strip();
        }
    }
}
