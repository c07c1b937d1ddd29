package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client image (the CLI alone) drives a daemon of the node image as the node image's own CLI does, and holds
 * nothing of the daemon's.
 */
class ClientImageIT extends ImageTest {
    private final SkepImage client = SkepImage.client();

    @AfterEach
    void stop() {
        if (daemon != null && daemon.isAlive()) {
            removeServices();
            await(
                    "the service's tasks to go",
                    () -> skep("service", "ls", "-q").stdout().isBlank());
            daemon.stop(Duration.ofSeconds(10));
        }
    }

    /** Runs a command of the client image that must succeed; returns its output. */
    private String client(String... args) {
        SkepImage.Result r = client.run(env(), args);
        assertEquals(0, r.exitCode(), () -> r.describe() + "\n" + daemon.describeOutput());
        return r.stdout();
    }

    @Test
    void theClientImageDrivesANodeImagesDaemon() {
        startDaemon();
        ok("swarm", "init");

        String version = client("version");
        assertTrue(version.startsWith("Client:\n"), version);
        assertTrue(version.contains("Server:"), "the daemon answered: " + version);

        String self = ok("node", "inspect", "self", "--format", "{{.ID}}").strip();
        String nodes = client("node", "ls");
        assertTrue(nodes.contains(self) && nodes.contains("Leader"), nodes);

        client(
                "service",
                "create",
                "-d",
                "--name",
                "web",
                "--replicas",
                "2",
                "--runtime",
                "process",
                "host",
                "sleep",
                "1000");
        await(
                "two running tasks, created through the client image",
                () -> client(
                                        "service",
                                        "ps",
                                        "web",
                                        "--filter",
                                        "desired-state=running",
                                        "--format",
                                        "{{.CurrentState}}")
                                .lines()
                                .filter(l -> l.startsWith("Running"))
                                .count()
                        == 2);
        assertEquals(ok("service", "ls"), client("service", "ls"), "both images' CLIs print the same");

        SkepImage.Result daemonCommand = client.run(env(), "daemon");
        assertEquals(1, daemonCommand.exitCode(), daemonCommand::describe);
        assertTrue(daemonCommand.stderr().startsWith("skep: unknown command: skep daemon"), daemonCommand::describe);
    }

    /** Built on JDK 25+, the client image has an AOT cache of its own, and its launcher hands it to the JVM. */
    @Test
    void theClientImageLoadsItsAotCache() {
        assumeTrue(Runtime.version().feature() >= 25, "AOT caches are made on JDK 25+ only");
        assumeTrue(!"false".equals(System.getProperty("skep.aot")), "built with -Dskep.aot=false");
        assertTrue(Files.isRegularFile(client.home().resolve("lib/skep.aot")), "no AOT cache in " + client.home());
        SkepImage.Result r = client.run(Map.of("JDK_JAVA_OPTIONS", "-Xlog:aot=info"), "--version");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().contains("Opened AOT cache"), r::describe);
        assertFalse(r.stdout().contains("[error]"), r::describe);
    }

    @Test
    void theClientImageHoldsNothingOfTheDaemon() {
        SkepImage.Result r = client.runJava("--list-modules");
        assertEquals(0, r.exitCode(), r::describe);
        List<String> modules = Arrays.stream(r.stdout().split("\n"))
                .map(l -> l.replaceFirst("@.*", "").trim())
                .toList();
        assertTrue(modules.containsAll(List.of("io.skep.cli", "io.skep.client", "io.skep.api")), modules::toString);
        for (String module : modules) {
            assertFalse(
                    module.equals("io.skep.core")
                            || module.equals("io.skep.spi")
                            || module.startsWith("io.skep.runtime")
                            || module.startsWith("io.skep.scheduler")
                            || module.startsWith("org.apache.ratis")
                            || module.startsWith("org.bouncycastle")
                            || module.startsWith("org.conscrypt")
                            || module.startsWith("com.github.dockerjava"),
                    () -> module + " is the daemon's: " + modules);
        }
    }
}
