package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The jlinked image as an operator drives it: {@code bin/skep daemon}, then {@code bin/skep} commands, with
 * no JDK on PATH and JAVA_HOME unset. Tasks run on the process runtime as real host processes.
 */
class SwarmImageIT extends ImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Set<Long> seenPids = new HashSet<>();

    private JsonNode tasks(String service) {
        try {
            return JSON.readTree(ok("service", "ps", service, "--format", "json"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** PIDs of the service's tasks that run and should. */
    private List<Long> running(String service) {
        List<Long> pids = new ArrayList<>();
        for (JsonNode t : tasks(service)) {
            if (t.path("Status").path("State").asText().equals("running")
                    && t.path("DesiredState").asText().equals("running")) {
                pids.add(t.path("Status").path("ContainerStatus").path("PID").asLong());
            }
        }
        seenPids.addAll(pids);
        return pids;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private void awaitRunning(String service, int count) {
        await(count + " running tasks of " + service, () -> {
            List<Long> pids = running(service);
            return pids.size() == count && pids.stream().allMatch(SwarmImageIT::alive);
        });
    }

    @AfterEach
    void cleanUp() {
        if (daemon != null && daemon.isAlive()) {
            removeServices();
            await("every task process to end", () -> seenPids.stream().noneMatch(SwarmImageIT::alive));
            daemon.stop(Duration.ofSeconds(10));
        }
        seenPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    @Test
    void replicasRunAreReplacedScaleAndLeaveNothingBehind() {
        startDaemon();
        assertTrue(ok("swarm", "init").contains("is now a manager"));
        ok("service", "create", "-d", "--name", "w", "--replicas", "3", "host", "sleep", "1000");
        awaitRunning("w", 3);
        assertTrue(ok("service", "ls").contains("3/3"));

        long victim = running("w").get(0);
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        await("a replacement for the killed task (restart policy: any, delay 5s)", () -> {
            List<Long> pids = running("w");
            return pids.size() == 3 && !pids.contains(victim) && pids.stream().allMatch(SwarmImageIT::alive);
        });
        assertTrue(ok("service", "ps", "w").contains("Failed"), "the killed task stays in the history");

        ok("service", "scale", "-d", "w=5");
        awaitRunning("w", 5);
        ok("service", "scale", "-d", "w=1");
        awaitRunning("w", 1);
        long kept = running("w").get(0);
        await(
                "the scaled-down processes to end",
                () -> seenPids.stream().filter(SwarmImageIT::alive).toList().equals(List.of(kept)));

        ok("service", "rm", "w");
        await("no process of the service left", () -> seenPids.stream().noneMatch(SwarmImageIT::alive));
        assertEquals("", ok("service", "ls", "-q").strip());
    }

    @Test
    void aKilledDaemonRestartsWithItsServicesAndRunsNoTaskTwice() {
        startDaemon();
        ok("swarm", "init");
        ok("service", "create", "-d", "--name", "w", "--replicas", "3", "host", "sleep", "1000");
        awaitRunning("w", 3);
        List<Long> before = running("w").stream().sorted().toList();
        int history = tasks("w").size();

        daemon.kill();
        assertTrue(before.stream().allMatch(SwarmImageIT::alive), "a daemon crash leaves its tasks running");
        startDaemon();

        assertTrue(ok("service", "ls").contains("w"), "the service survives the crash");
        awaitRunning("w", 3);
        assertEquals(before, running("w").stream().sorted().toList(), "the same processes, adopted, not started again");
        assertEquals(history, tasks("w").size(), "no task was made twice");
        assertTrue(ok("service", "ls").contains("3/3"));
    }

    @Test
    void aGlobalServiceRunsExactlyOneTaskOnTheNode() {
        startDaemon();
        ok("swarm", "init");
        ok("service", "create", "-d", "--name", "g", "--mode", "global", "host", "sleep", "1000");
        awaitRunning("g", 1);
        assertEquals(1, tasks("g").size());
        assertTrue(ok("service", "ls").contains("global"));
    }

    @Test
    void badInputIsRefusedWithItsReasonAndTheDaemonKeepsServing() {
        startDaemon();
        ok("swarm", "init");
        SkepImage.Result r = skep("service", "create", "-d", "--name", "x", "--runtime", "kata", "host", "sleep", "1");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("runtime \"kata\" is not installed in this image"), r::describe);

        r = skep("service", "create", "-d", "--name", "y", "--runtime", "process", "busybox", "sleep", "1");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("busybox"), r::describe);

        r = skep("service", "scale", "-d", "nope=2");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("service nope not found"), r::describe);

        assertEquals("", ok("service", "ls", "-q").strip(), "nothing was created, and the daemon still answers");
        assertTrue(daemon.isAlive());
    }

    /** On this Linux x86-64 machine Conscrypt's BoringSSL loads: node-to-node TLS runs on it, and info says so. */
    @Test
    void infoSaysWhichTlsProviderTheNodeUses() {
        startDaemon();
        assertTrue(
                ok("info").contains(" Security Options:\n  tls\n   Provider: Conscrypt 2.5.2 (BoringSSL)\n"),
                () -> ok("info"));
    }

    @Test
    void pluginLsNamesEachPluginAndItsModule() {
        startDaemon();
        String out = ok("plugin", "ls");
        assertTrue(out.lines().anyMatch(l -> l.contains("process") && l.contains("io.skep.runtime.process")), out);
        assertTrue(out.lines().anyMatch(l -> l.contains("spread") && l.contains("io.skep.scheduler.spread")), out);
        assertTrue(
                out.lines()
                        .anyMatch(l -> l.contains("overlay")
                                && l.contains("network-driver")
                                && l.contains("io.skep.network.overlay")),
                out);
    }

    @Test
    void anImageWithoutTheProcessRuntimeSaysSoWhenItIsAskedFor() {
        image = SkepImage.withoutProcess();
        startDaemon();
        ok("swarm", "init");
        assertFalse(ok("plugin", "ls").contains("io.skep.runtime.process"));
        SkepImage.Result r =
                skep("service", "create", "-d", "--name", "p", "--runtime", "process", "host", "sleep", "1");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("runtime \"process\" is not installed in this image"), r::describe);
        r = skep("service", "create", "-d", "--name", "q", "host", "sleep", "1");
        assertNotEquals(0, r.exitCode());
        assertTrue(
                r.stderr().contains("runtime \"process\" is not installed in this image"),
                "the image host needs it: " + r.describe());
    }
}
