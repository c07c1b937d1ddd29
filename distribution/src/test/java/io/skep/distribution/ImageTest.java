package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * What image tests share: a skep daemon from the jlinked image, on a socket in the test's folder, with no JDK
 * anywhere (JAVA_HOME unset, a PATH holding only what bin/skep's script uses), driven by bin/skep commands.
 */
abstract class ImageTest {
    static final Duration CONVERGE = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    SkepImage image = SkepImage.full();
    SkepImage.Daemon daemon;

    /** The CLI's environment: skep's socket, and a PATH with no java (this machine's /usr/bin has one). */
    Map<String, String> env() {
        return cliEnv(dir, host());
    }

    /**
     * The environment of a CLI that reaches the daemon at {@code host}: a PATH of {@code dir/bin} holding only what
     * bin/skep's script uses, so no JDK is found.
     */
    static Map<String, String> cliEnv(Path dir, String host) {
        Path bin = dir.resolve("bin");
        try {
            if (!Files.exists(bin.resolve("dirname"))) {
                Files.createDirectories(bin);
                Files.createSymbolicLink(bin.resolve("dirname"), Path.of("/usr/bin/dirname"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return SkepImage.env("SKEP_HOST", host, "PATH", bin.toString());
    }

    /**
     * A daemon's environment: the CLI's, and the store's change guard on (as in the unit suites), so the image's
     * tests also prove that no request path changes a stored object in place.
     */
    static Map<String, String> daemonEnv(Path dir, String host) {
        Map<String, String> env = new java.util.HashMap<>(cliEnv(dir, host));
        env.put("JDK_JAVA_OPTIONS", "-Dskep.store.guard=true");
        return env;
    }

    String host() {
        return "unix://" + dir.resolve("skep.sock");
    }

    /**
     * The flags of a test's daemon: the test's data directory, ports of its own (so that no engine that was ever a
     * swarm manager stands in its way), the test's socket; then {@code more}.
     */
    String[] daemonFlags(String... more) {
        List<String> flags = new ArrayList<>(List.of(
                "--data-dir",
                dir.resolve("data").toString(),
                "--raft-port",
                "0",
                "--listen-addr",
                "127.0.0.1:0",
                "-H",
                host()));
        flags.addAll(List.of(more));
        return flags.toArray(String[]::new);
    }

    /** Starts (or restarts) the daemon on the test's data directory and waits until it answers. */
    void startDaemon() {
        daemon = image.startDaemon(daemonEnv(dir, host()), dir.resolve("logs-" + System.nanoTime()), daemonFlags());
        await("the daemon to answer", () -> image.run(env(), "version").exitCode() == 0);
    }

    SkepImage.Result skep(String... args) {
        return image.run(env(), args);
    }

    /** Runs a skep command that must succeed; returns its output. */
    String ok(String... args) {
        SkepImage.Result r = skep(args);
        assertEquals(0, r.exitCode(), () -> r.describe() + "\n" + daemon.describeOutput());
        return r.stdout();
    }

    void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out waiting for " + what + "\n" + (daemon == null ? "" : daemon.describeOutput()));
            }
            try {
                Thread.sleep(100); // polling interval of the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Removes every service (the caller waits for what the service ran to end, then stops the daemon). */
    void removeServices() {
        if (daemon != null && daemon.isAlive()) {
            for (String id : skep("service", "ls", "-q").stdout().split("\\s+")) {
                if (!id.isBlank()) {
                    skep("service", "rm", id);
                }
            }
        }
    }
}
