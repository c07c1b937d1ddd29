package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The unmodified docker CLI against skep's socket ({@code DOCKER_HOST=unix://…}), running the busybox test image
 * as containers on the machine's engine: swarm, node and service commands exit 0 and print what they print
 * against Docker Swarm.
 */
class DockerCliIT extends ImageTest {

    @BeforeEach
    void startSkep() {
        TestEngine.require();
        startDaemon();
    }

    @AfterEach
    void stopSkep() {
        if (daemon != null && daemon.isAlive()) {
            removeServices();
            await(
                    "the service's containers to be removed",
                    () -> TestEngine.containers("com.docker.swarm.service.name=web", true)
                            .isEmpty());
            daemon.stop(Duration.ofSeconds(10));
        }
    }

    /** The docker CLI against skep; the command must succeed. */
    private String docker(String... args) {
        TestEngine.Run r = TestEngine.docker(Map.of("DOCKER_HOST", host(), "HOME", dir.toString()), args);
        assertEquals(
                0,
                r.exitCode(),
                () -> "docker " + String.join(" ", args) + "\n" + r.describe() + "\n" + daemon.describeOutput());
        return r.stdout();
    }

    @Test
    void theDockerCliDrivesASkepSwarm() {
        // The cluster port on loopback (the docker CLI's default, 0.0.0.0:2377, would open it to every network).
        assertTrue(docker("swarm", "init", "--listen-addr", "127.0.0.1:" + freePort())
                .contains("Swarm initialized: current node ("));
        String info = docker("info");
        assertTrue(info.contains("Swarm: active") && info.contains("Is Manager: true"), info);
        // The swarm's join tokens name its root CA; rotating one changes its secret only.
        String token = docker("swarm", "join-token", "-q", "worker").strip();
        assertTrue(token.matches("SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}"), token);
        String join = docker("swarm", "join-token", "--rotate", "worker");
        assertTrue(join.startsWith("Successfully rotated worker join token."), join);
        assertTrue(
                join.contains("    docker swarm join --token " + token.substring(0, 60)) && !join.contains(token),
                join);
        String nodes = docker("node", "ls");
        assertTrue(nodes.lines().anyMatch(l -> l.contains("*") && l.contains("Ready") && l.contains("Leader")), nodes);

        List<String> create = new ArrayList<>(
                List.of("service", "create", "--name", "web", "--replicas", "2", TestEngine.busyboxImage()));
        create.addAll(TestEngine.LOOP);
        String created = docker(create.toArray(String[]::new));
        assertTrue(
                created.contains("overall progress: 2 out of 2 tasks")
                        && created.contains("verify: Service")
                        && created.strip().endsWith("converged"),
                created);
        assertEquals(
                2,
                TestEngine.containers("com.docker.swarm.service.name=web", false)
                        .size(),
                "two containers run");
        assertTrue(docker("service", "ls").lines().anyMatch(l -> l.contains("web") && l.contains("2/2")));
        String ps = docker("service", "ps", "web");
        assertTrue(ps.contains("web.1") && ps.contains("web.2") && ps.contains("Running"), ps);
        String pretty = docker("service", "inspect", "--pretty", "web");
        assertTrue(pretty.contains("Name:\t\tweb") && pretty.contains("Replicas:\t2"), pretty);

        String scaled = docker("service", "scale", "web=4");
        assertTrue(scaled.contains("web scaled to 4") && scaled.strip().endsWith("converged"), scaled);
        assertEquals(
                4,
                TestEngine.containers("com.docker.swarm.service.name=web", false)
                        .size());
        String updated = docker("service", "update", "--env-add", "A=1", "web");
        assertTrue(updated.strip().endsWith("converged"), updated);
        String container = TestEngine.containers("com.docker.swarm.service.name=web", false)
                .get(0);
        assertTrue(
                TestEngine.docker(Map.of(), "inspect", container).stdout().contains("\"A=1\""),
                "the containers run the updated spec");
        assertEquals("web", docker("service", "rm", "web").strip());
        assertEquals("", docker("service", "ls", "-q").strip());
        assertEquals("Node left the swarm.", docker("swarm", "leave", "--force").strip());
        assertTrue(docker("info").contains("Swarm: inactive"), "the node is in no swarm any more");
    }

    /**
     * {@code docker network create|ls|inspect|rm|prune} and {@code service create --network}: a swarm network from the
     * default address pool {@code swarm init} set, a service's VIP on it, and a removal refused while it is in use.
     */
    @Test
    void theDockerCliManagesSwarmNetworks() {
        docker("swarm", "init", "--listen-addr", "127.0.0.1:" + freePort(), "--default-addr-pool", "198.18.0.0/16");
        String id = docker("network", "create", "-d", "overlay", "--attachable", "--label", "app=demo", "front")
                .strip();
        assertTrue(id.matches("[0-9a-z]{25}"), id);
        String ls = docker("network", "ls");
        assertTrue(ls.startsWith("NETWORK ID     NAME      DRIVER    SCOPE\n"), ls);
        assertTrue(
                ls.lines()
                        .anyMatch(l -> l.startsWith(id.substring(0, 12))
                                && l.contains(" front ")
                                && l.contains(" overlay ")
                                && l.endsWith("swarm")),
                ls);
        assertEquals(
                "swarm true demo 198.18.0.0/24",
                docker(
                                "network",
                                "inspect",
                                "--format",
                                "{{.Scope}} {{.Attachable}} {{.Labels.app}} {{range .IPAM.Config}}{{.Subnet}}{{end}}",
                                "front")
                        .strip());

        List<String> create = new ArrayList<>(List.of(
                "service",
                "create",
                "--name",
                "web",
                "--network",
                "front",
                "--replicas",
                "1",
                TestEngine.busyboxImage()));
        create.addAll(TestEngine.LOOP);
        String created = docker(create.toArray(String[]::new));
        assertTrue(created.strip().endsWith("converged"), created);
        String vip = docker("service", "inspect", "--format", "{{range .Endpoint.VirtualIPs}}{{.Addr}}{{end}}", "web")
                .strip();
        assertTrue(vip.startsWith("198.18.0.") && vip.endsWith("/24"), vip);

        TestEngine.Run inUse =
                TestEngine.docker(Map.of("DOCKER_HOST", host(), "HOME", dir.toString()), "network", "rm", "front");
        assertTrue(inUse.exitCode() != 0, inUse.describe());
        assertTrue(inUse.stderr().contains("is in use by service"), inUse.describe());

        assertEquals("web", docker("service", "rm", "web").strip());
        assertEquals("front", docker("network", "rm", "front").strip());
        docker("network", "create", "-d", "overlay", "spare");
        String pruned = docker("network", "prune", "-f");
        assertTrue(pruned.contains("Deleted Networks:\nspare\n"), pruned);
        assertEquals("", docker("network", "ls", "-q").strip());
        assertEquals("Node left the swarm.", docker("swarm", "leave", "--force").strip());
    }

    /**
     * {@code docker swarm init --autolock}, {@code unlock-key} and {@code unlock}: a restarted manager of the image
     * answers the docker CLI with Swarm's locked message until it is given the key.
     */
    @Test
    void theDockerCliLocksAndUnlocksAnAutolockedSwarm() {
        String init = docker("swarm", "init", "--autolock", "--listen-addr", "127.0.0.1:" + freePort());
        java.util.regex.Matcher key =
                java.util.regex.Pattern.compile("SWMKEY-1-[A-Za-z0-9+/]{43}").matcher(init);
        assertTrue(key.find(), init);
        assertEquals(key.group(), docker("swarm", "unlock-key", "-q").strip());

        daemon.stop(Duration.ofSeconds(10));
        startDaemon();
        TestEngine.Run locked = TestEngine.docker(Map.of("DOCKER_HOST", host(), "HOME", dir.toString()), "node", "ls");
        assertEquals(1, locked.exitCode());
        assertTrue(
                locked.stderr().contains("Swarm is encrypted and needs to be unlocked before it can be used."),
                locked.describe());
        TestEngine.Run wrong = TestEngine.dockerWithInput(
                Map.of("DOCKER_HOST", host(), "HOME", dir.toString()),
                "SWMKEY-1-" + "A".repeat(43) + "\n",
                "swarm",
                "unlock");
        assertTrue(wrong.exitCode() != 0 && wrong.stderr().contains("invalid key provided"), wrong.describe());
        TestEngine.Run unlocked = TestEngine.dockerWithInput(
                Map.of("DOCKER_HOST", host(), "HOME", dir.toString()), key.group() + "\n", "swarm", "unlock");
        assertEquals(0, unlocked.exitCode(), unlocked.describe());
        await(
                "the unlocked manager to answer",
                () -> TestEngine.docker(Map.of("DOCKER_HOST", host(), "HOME", dir.toString()), "node", "ls")
                                .exitCode()
                        == 0);
        assertEquals("Node left the swarm.", docker("swarm", "leave", "--force").strip());
    }

    /** {@code docker swarm ca --rotate}: the docker CLI follows skep's rotation to its end and prints the new root. */
    @Test
    void theDockerCliRotatesTheRootCa() {
        docker("swarm", "init", "--listen-addr", "127.0.0.1:" + freePort());
        String before = docker("swarm", "ca").strip();
        String rotated = docker("swarm", "ca", "--rotate");
        assertTrue(rotated.contains("-----BEGIN CERTIFICATE-----"), rotated);
        String after = docker("swarm", "ca").strip();
        assertTrue(rotated.strip().endsWith(after) && !after.equals(before), rotated + "\n" + before);
        assertTrue(docker("node", "ls").contains("Leader"), "the manager goes on");
        assertEquals("Node left the swarm.", docker("swarm", "leave", "--force").strip());
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
