package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vendor's scheduler plugin dropped into the image (examples/binpack-scheduler): its jar copied into the image's
 * {@code plugins/} folder, a manager and a worker of that image on loopback, a service that names the strategy
 * ({@code io.skep.scheduler=binpack}) filling one node before the other, and the plugin's filter explaining, in
 * {@code service ps --no-trunc}, why a task no node takes stays pending.
 */
class BinpackPluginIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final SkepImage image = SkepImage.full();
    private ImageNodes nodes;
    private final Set<Long> taskPids = new HashSet<>();
    private Path installed;

    /** Installs the plugin as an operator would: its jar into the image's plugins/ folder. */
    @BeforeEach
    void installPlugin() throws IOException {
        nodes = new ImageNodes(image, dir);
        Path jar = Path.of(System.getProperty("skep.example.binpack", "(not set: run through Maven)"));
        assertTrue(Files.isRegularFile(jar), "the example plugin's jar " + jar);
        installed = image.pluginsDir().resolve("skep-example-binpack.jar");
        Files.copy(jar, installed);
    }

    @AfterEach
    void cleanUp() throws IOException {
        nodes.all().stream().findFirst().ifPresent(m -> image.run(m.env(), "service", "rm", "packed"));
        nodes.all().forEach(m -> m.daemon.stop(Duration.ofSeconds(10)));
        taskPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        if (installed != null) {
            Files.deleteIfExists(installed); // the image's other tests run without it
        }
    }

    @Test
    void aDroppedInStrategyPacksNodesAndItsFilterExplainsWhatItRefuses() throws IOException {
        ImageNodes.Node manager = nodes.start("manager");
        manager.ok("swarm", "init");
        List<String> plugins = manager.ok("plugin", "ls", "--format", "{{.Name}} {{.Type}}")
                .lines()
                .toList();
        assertTrue(
                plugins.contains("binpack scheduler") && plugins.contains("binpack-skip scheduler-filter"),
                plugins::toString);
        String addr = manager.ok("node", "inspect", "self", "--format", "{{.ManagerStatus.Addr}}")
                .strip();
        String token = manager.ok("swarm", "join-token", "-q", "worker").strip();
        ImageNodes.Node worker = nodes.start("worker");
        assertEquals("This node joined a swarm as a worker.\n", worker.ok("swarm", "join", "--token", token, addr));
        await(
                "2 ready nodes",
                () -> manager.ok("node", "ls")
                                .lines()
                                .filter(l -> l.contains(" Ready "))
                                .count()
                        == 2);

        // Both nodes are this machine: room for 3 tasks each when a task reserves 30 % of its CPUs and memory.
        String[] resources = manager.ok(
                        "node",
                        "inspect",
                        "self",
                        "--format",
                        "{{.Description.Resources.NanoCPUs}} {{.Description.Resources.MemoryBytes}}")
                .strip()
                .split(" ");
        String cpus = String.format(Locale.ROOT, "%.3f", Long.parseLong(resources[0]) * 0.3 / 1e9);
        String memory = Long.toString((long) (Long.parseLong(resources[1]) * 0.3));
        for (String id : List.of(manager.nodeId(), worker.nodeId())) {
            manager.ok("node", "update", "--label-add", "pool=batch", id);
        }

        manager.ok(
                "service",
                "create",
                "-d",
                "--name",
                "packed",
                "--label",
                "io.skep.scheduler=binpack",
                "--constraint",
                "node.labels.pool==batch",
                "--reserve-cpu",
                cpus,
                "--reserve-memory",
                memory,
                "--replicas",
                "4",
                "host",
                "sleep",
                "1000");
        await(
                "4 running tasks",
                () -> runningByNode(manager).values().stream()
                                .mapToInt(Integer::intValue)
                                .sum()
                        == 4);
        Map<String, Integer> placed = runningByNode(manager);
        assertEquals(
                List.of(1, 3),
                placed.values().stream().sorted().toList(),
                "one node filled before the other (the HA spread would put 2 on each): " + placed);
        String first = placed.entrySet().stream()
                .filter(e -> e.getValue() == 3)
                .findFirst()
                .orElseThrow()
                .getKey();
        String second = placed.keySet().stream()
                .filter(id -> !id.equals(first))
                .findFirst()
                .orElseThrow();

        manager.ok("node", "update", "--label-add", "binpack.skip=true", second);
        manager.ok("service", "update", "-d", "--replicas", "5", "packed");
        String expected = "no suitable node (insufficient resources on 1 node: cpu, memory; "
                + "node labelled binpack.skip=true on 1 node)";
        await(
                "the fifth task pending with the filter's explanation",
                () -> manager.ok("service", "ps", "--no-trunc", "packed").contains(expected));
        assertEquals(Map.of(first, 3, second, 1), runningByNode(manager), "nothing moved");
    }

    /** The service's running tasks that should run, by node ID. */
    private Map<String, Integer> runningByNode(ImageNodes.Node manager) {
        JsonNode tasks;
        try {
            tasks = JSON.readTree(manager.ok("service", "ps", "packed", "--format", "json"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Map<String, Integer> out = new TreeMap<>();
        for (JsonNode t : tasks) {
            long pid = t.path("Status").path("ContainerStatus").path("PID").asLong(0);
            if (pid > 0) {
                taskPids.add(pid);
            }
            if (t.path("Status").path("State").asText().equals("running")
                    && t.path("DesiredState").asText().equals("running")) {
                out.merge(t.path("NodeID").asText(), 1, Integer::sum);
            }
        }
        return out;
    }

    private void await(String what, BooleanSupplier condition) {
        nodes.await(what, condition);
    }
}
