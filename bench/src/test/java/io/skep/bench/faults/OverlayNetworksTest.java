package io.skep.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.bench.FileTrees;
import io.skep.bench.overlay.TaskLeftovers;
import io.skep.bench.overlay.TaskShell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overlay networks across nodes, on the process runtime (tasks in network namespaces of their own): three daemons of
 * the image, each in its own network namespace joined to the others by a bridge (the harness's
 * {@link NamespaceNetwork}), services on swarm networks whose traffic crosses nodes over VXLAN. From a task: the
 * service's name resolves to its VIP and connections to it spread over every task on every node, {@code tasks.NAME}
 * lists them, a scale-down leaves the VIP reaching the survivor alone, a dnsrr service resolves to its tasks, a task
 * on another network neither resolves nor reaches the service, and an internal network has no way out. Needs root,
 * {@code ip netns}, nftables and the image; skipped without, unless {@code SKEP_REQUIRE_NETNS=1} (CI).
 *
 * <p>A daemon started through {@code ip netns exec} has a mount namespace of its own, where the task namespaces it
 * names live: commands reach a task through {@code nsenter} into the daemon's mount namespace.
 */
class OverlayNetworksTest {
    /** The overlays' pool: the other half of the benchmarking range (the nodes' underlay is 198.18.0.0/24). */
    private static final String POOL = "198.19.0.0/16";

    private static final Duration SETTLE = Duration.ofSeconds(60);
    /** How long a task's node may take to learn of a service's tasks that run (a bound, not a measure). */
    private static final Duration REACHABLE = Duration.ofSeconds(30);

    private static final Pattern ETH0 = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");
    private static final Pattern ANSWER = Pattern.compile("Address:\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+)(?!:)\\s*$");

    @TempDir
    static Path dir;

    private static FaultSwarm swarm;
    private static ManagerProcess api;
    private static Path www;

    @BeforeAll
    static void formSwarm() throws Exception {
        Path skep = FileTrees.findUp(Path.of(""), "distribution/target/skep/bin/skep");
        String missing = skep == null ? "no image built (distribution/target/skep/bin/skep)" : unavailable();
        if (missing != null) {
            if ("1".equals(System.getenv("SKEP_REQUIRE_NETNS"))) {
                fail("SKEP_REQUIRE_NETNS=1, but the overlay network test cannot run: " + missing);
            }
            assumeTrue(false, "the overlay network test cannot run here (" + missing + ")");
        }
        // every task serves a CGI that prints its address on its first network: who answered
        www = dir.resolve("www");
        Files.createDirectories(www.resolve("cgi-bin"));
        Path who = www.resolve("cgi-bin/who");
        Files.writeString(
                who,
                "#!/bin/sh\necho 'Content-Type: text/plain'\necho\n/bin/busybox ip -4 -o addr show dev eth0\n",
                StandardCharsets.UTF_8);
        who.toFile().setExecutable(true, false);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        swarm = FaultSwarm.form(
                skep,
                dir,
                3,
                Map.of(),
                Map.of("DefaultAddrPool", List.of(POOL), "SubnetSize", 24),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        api = swarm.managers().getFirst();
    }

    @AfterAll
    static void removeSwarm() throws Exception {
        if (swarm == null) {
            return;
        }
        List<String> nodes =
                swarm.managers().stream().map(ManagerProcess::nodeId).toList();
        // the services go first, so that the daemons take their tasks and networks down themselves
        List<String> taskIds = new ArrayList<>();
        for (JsonNode t : api.ok("GET", "/tasks", null)) {
            taskIds.add(t.path("ID").asText());
        }
        for (JsonNode s : api.ok("GET", "/services", null)) {
            api.call("DELETE", "/services/" + s.path("ID").asText(), null, Duration.ofSeconds(10));
        }
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!TaskLeftovers.processes(taskIds).isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(200);
        }
        Path logs = Files.createDirectories(Path.of("target", "overlay-networks-logs"));
        for (ManagerProcess m : swarm.managers()) {
            Files.copy(m.log(), logs.resolve(m.name() + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        swarm.close();
        TaskLeftovers.remove(taskIds, nodes); // what a failed run may leave
        // the containers outlive their daemons (they are the engine's): remove those of this swarm's nodes
        if (dockerUnavailable() == null) {
            for (String node : nodes) {
                Ran listed = run(List.of("docker", "ps", "-aq", "--filter", "label=com.docker.swarm.node.id=" + node));
                for (String id : listed.output().strip().split("\\s+")) {
                    if (!id.isBlank()) {
                        run(List.of("docker", "rm", "-f", id));
                    }
                }
            }
        }
    }

    private static String unavailable() {
        String reason = NamespaceNetwork.unavailableReason();
        if (reason != null) {
            return reason;
        }
        for (String tool : List.of("/bin/busybox", "/usr/sbin/nft", "/usr/bin/nsenter")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing";
            }
        }
        return null;
    }

    /** Why the Docker engine cannot run the containers' half, or null. */
    private static String dockerUnavailable() {
        try {
            Ran info = run(List.of("docker", "info", "--format", "{{.ServerVersion}}"));
            return info.exitCode() == 0
                    ? null
                    : "no Docker engine answers: " + info.output().strip();
        } catch (RuntimeException e) {
            return "no docker CLI: " + e.getMessage();
        }
    }

    private static String image;

    /** The {@code FROM scratch} busybox image of the containers, built on first use and removed with the JVM. */
    private static synchronized String image() {
        if (image == null) {
            String name = "skep-test/net-busybox:" + ProcessHandle.current().pid();
            try {
                Path context = Files.createDirectories(dir.resolve("image"));
                Files.copy(Path.of("/bin/busybox"), context.resolve("busybox"));
                Files.createDirectories(context.resolve("www/cgi-bin"));
                Files.copy(
                        www.resolve("cgi-bin/who"),
                        context.resolve("www/cgi-bin/who"),
                        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                Files.writeString(context.resolve("Dockerfile"), """
                        FROM scratch
                        COPY busybox /bin/busybox
                        RUN ["/bin/busybox", "--install", "-s", "/bin"]
                        COPY www /www
                        """);
                Ran built = run(List.of("docker", "build", "-q", "-t", name, context.toString()));
                assertEquals(0, built.exitCode(), "cannot build the test image: " + built.output());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            image = name;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    run(List.of("docker", "rmi", "-f", name));
                } catch (RuntimeException e) {
                    // the image stays: harmless
                }
            }));
        }
        return image;
    }

    @Test
    void processTasksFindAndReachEachOtherAcrossNodesThroughTheirNetworksOnly() throws Exception {
        scenario(new Tasks(false), "p-");
    }

    @Test
    void containersFindAndReachEachOtherAcrossNodesThroughTheirNetworksOnly() throws Exception {
        String engine = dockerUnavailable();
        if (engine != null) {
            if ("1".equals(System.getenv("SKEP_REQUIRE_DOCKER"))) {
                fail("SKEP_REQUIRE_DOCKER=1, but " + engine);
            }
            assumeTrue(false, engine);
        }
        scenario(new Tasks(true), "d-");
    }

    /**
     * The scenario on one runtime; {@code prefix} names its networks and services apart from the other runtime's
     * (both run on the same swarm).
     */
    private static void scenario(Tasks tasks, String prefix) throws Exception {
        network(prefix + "front", false);
        network(prefix + "back", false);
        network(prefix + "sealed", true);
        String web = service(tasks, prefix + "web", prefix + "front", 3, "vip", tasks.httpd());
        String client = service(tasks, prefix + "client", prefix + "front", 1, "vip", tasks.sleeper());
        String rr = service(tasks, prefix + "rr", prefix + "front", 2, "dnsrr", tasks.httpd());
        String lone = service(tasks, prefix + "lone", prefix + "back", 1, "vip", tasks.sleeper());
        String inside = service(tasks, prefix + "inside", prefix + "sealed", 1, "vip", tasks.sleeper());
        String webName = prefix + "web";
        List<JsonNode> webTasks = running(web, 3);
        Set<String> webAddresses = addresses(webTasks);
        assertEquals(3, nodesOf(webTasks).size(), "the spread puts one web task on each node: " + webTasks);
        JsonNode clientTask = running(client, 1).getFirst();
        String vip = withoutPrefix(api.ok("GET", "/services/" + web, null)
                .path("Endpoint")
                .path("VirtualIPs")
                .get(0)
                .path("Addr")
                .asText());

        // the name resolves to the VIP, and the VIP reaches every task, two of them on other nodes
        assertEquals(Set.of(vip), lookup(tasks, clientTask, webName));
        // the first connection waits for the client's node to learn the running tasks (the scenario in bench
        // measures how long that takes); every other is answered at once
        Set<String> answered = new TreeSet<>();
        answered.add(eventually(() -> who(tasks, clientTask, webName)));
        for (int i = 0; i < 60 && !answered.equals(webAddresses); i++) {
            answered.add(who(tasks, clientTask, webName));
        }
        assertEquals(webAddresses, answered, "the VIP spreads connections over every web task");
        assertEquals(webAddresses, lookup(tasks, clientTask, "tasks." + webName));

        // dnsrr: the name resolves to the tasks themselves
        Set<String> rrAddresses = addresses(running(rr, 2));
        eventually(() -> {
            assertEquals(rrAddresses, lookup(tasks, clientTask, prefix + "rr"));
            return rrAddresses;
        });

        // another network: the name is not the service's there, and its addresses are out of reach
        JsonNode loneTask = running(lone, 1).getFirst();
        assertFalse(lookup(tasks, loneTask, webName).contains(vip), "web resolved from a task on another network");
        assertNotEquals(0, connect(tasks, loneTask, vip, 80), "the VIP of a service on another network");
        String someWebTask = webAddresses.iterator().next();
        assertEquals(0, connect(tasks, clientTask, someWebTask, 80), "a web task from its own network");
        assertNotEquals(0, connect(tasks, loneTask, someWebTask, 80), "a task of a service on another network");

        // an internal network has no way out; a non-internal one reaches beyond its node (another node's port)
        JsonNode insideTask = running(inside, 1).getFirst();
        String elsewhere = otherNode(insideTask).clusterAddr();
        String beyondClient = otherNode(clientTask).clusterAddr();
        int port = Integer.parseInt(elsewhere.substring(elsewhere.indexOf(':') + 1));
        assertNotEquals(0, connect(tasks, insideTask, elsewhere.substring(0, elsewhere.indexOf(':')), port));
        assertEquals(0, connect(tasks, clientTask, beyondClient.substring(0, beyondClient.indexOf(':')), port));

        // scaled to one, the VIP reaches the survivor alone
        scale(web, 1);
        List<JsonNode> left = running(web, 1);
        String survivor = addresses(left).iterator().next();
        // once the client's node knows (its DNS says so), no new connection goes to a task that stopped
        eventually(() -> {
            Set<String> listed = lookup(tasks, clientTask, "tasks." + webName);
            assertEquals(Set.of(survivor), listed);
            return listed;
        });
        try {
            eventually(() -> {
                assertEquals(survivor, who(tasks, clientTask, webName));
                return survivor;
            });
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + "\nsurvivor " + survivor + " on " + nodeOf(left.getFirst()) + ", client on "
                            + nodeOf(clientTask) + "\n" + diagnostics(tasks, clientTask),
                    e);
        }
        for (int i = 0; i < 12; i++) {
            assertEquals(survivor, who(tasks, clientTask, webName), "connection " + i + " to the VIP");
        }
    }

    // ------------------------------------------------------------------------------------------- the swarm

    private static void network(String name, boolean internal) {
        api.ok("POST", "/networks/create", Map.of("Name", name, "Driver", "overlay", "Internal", internal));
    }

    /** Creates a service on one network; returns its ID. */
    private static String service(
            Tasks tasks, String name, String network, int replicas, String mode, List<String> command) {
        Map<String, Object> spec = Map.of(
                "Name",
                name,
                "TaskTemplate",
                Map.of("ContainerSpec", tasks.containerSpec(command), "Networks", List.of(Map.of("Target", network))),
                "Mode",
                Map.of("Replicated", Map.of("Replicas", replicas)),
                "EndpointSpec",
                Map.of("Mode", mode));
        return api.ok("POST", "/services/create", spec).path("ID").asText();
    }

    private static void scale(String serviceId, int replicas) {
        JsonNode service = api.ok("GET", "/services/" + serviceId, null);
        ObjectNode spec = (ObjectNode) service.path("Spec").deepCopy();
        ((ObjectNode) spec.path("Mode").path("Replicated")).put("Replicas", replicas);
        api.ok(
                "POST",
                "/services/" + serviceId + "/update?version="
                        + service.path("Version").path("Index").asLong(),
                spec);
    }

    /**
     * The service's tasks once exactly {@code count} run and every other has ended (a scale-down's tasks gone, so
     * that the VIP's backends are the running ones alone).
     */
    private static List<JsonNode> running(String serviceId, int count) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() - deadline < 0) {
            List<JsonNode> run = new ArrayList<>();
            int live = 0;
            seen.clear();
            for (JsonNode t : api.ok("GET", "/tasks?filters=" + filter(serviceId), null)) {
                String state = t.path("Status").path("State").asText();
                seen.add(t.path("ID").asText() + " " + state + " "
                        + t.path("Status").path("Err").asText(""));
                if (state.equals("running") && t.path("DesiredState").asText().equals("running")) {
                    run.add(t);
                }
                if (!Set.of("complete", "shutdown", "failed", "rejected", "orphaned", "remove")
                        .contains(state)) {
                    live++;
                }
            }
            if (run.size() == count && live == count) {
                return run;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not " + count + " running tasks of " + serviceId + " within " + SETTLE + ": " + seen);
    }

    private static String filter(String serviceId) {
        return java.net.URLEncoder.encode("{\"service\":[\"" + serviceId + "\"]}", StandardCharsets.UTF_8);
    }

    private static Set<String> addresses(List<JsonNode> tasks) {
        Set<String> out = new TreeSet<>();
        for (JsonNode t : tasks) {
            out.add(withoutPrefix(t.path("NetworksAttachments")
                    .get(0)
                    .path("Addresses")
                    .get(0)
                    .asText()));
        }
        return out;
    }

    private static Set<String> nodesOf(List<JsonNode> tasks) {
        Set<String> out = new TreeSet<>();
        tasks.forEach(t -> out.add(t.path("NodeID").asText()));
        return out;
    }

    private static String withoutPrefix(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    private static ManagerProcess nodeOf(JsonNode task) {
        String node = task.path("NodeID").asText();
        return swarm.managers().stream()
                .filter(m -> m.nodeId().equals(node))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no daemon is node " + node));
    }

    private static ManagerProcess otherNode(JsonNode task) {
        ManagerProcess own = nodeOf(task);
        return swarm.managers().stream().filter(m -> m != own).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------------------- inside a task

    private record Ran(int exitCode, String output) {}

    /**
     * The tasks of one runtime: process tasks (image {@code host}) reached in their network namespace, or containers
     * of a {@code FROM scratch} busybox image reached with {@code docker exec}; both serve {@code www} (a container
     * its copy in the image).
     */
    private record Tasks(boolean containers) {

        List<String> httpd() {
            return List.of("/bin/busybox", "httpd", "-f", "-p", "80", "-h", containers ? "/www" : www.toString());
        }

        List<String> sleeper() {
            return List.of("/bin/busybox", "sleep", "100000");
        }

        Map<String, Object> containerSpec(List<String> command) {
            if (!containers) {
                return Map.of("Image", "host", "Command", command);
            }
            return Map.of("Image", image(), "Command", command);
        }

        /** Runs a busybox shell script inside the task, as the task would. */
        Ran run(JsonNode task, String script) {
            String containerId = task.path("Status")
                    .path("ContainerStatus")
                    .path("ContainerID")
                    .asText();
            return OverlayNetworksTest.run(
                    containers
                            ? List.of("docker", "exec", containerId, "/bin/busybox", "sh", "-c", script)
                            : new TaskShell(nodeOf(task).pid(), task.path("ID").asText()).command(script));
        }
    }

    /** Runs a command to its end within the harness's bound ({@link Shell#run}): its exit and its output and errors. */
    private static Ran run(List<String> command) {
        Shell.Result r = Shell.run(null, command.toArray(String[]::new));
        return new Ran(r.exitCode(), r.stdout() + r.stderr());
    }

    private interface Attempt<T> {
        T run() throws IOException, InterruptedException;
    }

    /** The first success of {@code attempt} within {@link #REACHABLE}; the last failure if none. */
    private static <T> T eventually(Attempt<T> attempt) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + REACHABLE.toNanos();
        while (true) {
            try {
                return attempt.run();
            } catch (AssertionError e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** What the client's namespace and every node's overlay namespaces hold, for a failure's message. */
    private static String diagnostics(Tasks tasks, JsonNode client) throws IOException, InterruptedException {
        StringBuilder out = new StringBuilder();
        if (!tasks.containers()) {
            String ns = "skep-task-" + client.path("ID").asText();
            String pid = Long.toString(nodeOf(client).pid());
            for (List<String> c :
                    List.of(List.of("nft", "list", "ruleset"), List.of("ip", "neigh"), List.of("ip", "route"))) {
                List<String> command = new ArrayList<>(List.of("nsenter", "-t", pid, "-m", "ip", "netns", "exec", ns));
                command.addAll(c);
                out.append("client ")
                        .append(c)
                        .append(":\n")
                        .append(run(command).output());
            }
        }
        for (ManagerProcess m : swarm.managers()) {
            String pid = Long.toString(m.pid());
            String list = run(List.of("nsenter", "-t", pid, "-m", "ip", "netns", "list"))
                    .output();
            for (String line : list.lines().toList()) {
                String ns = line.split("\\s+")[0];
                if (ns.startsWith("skep-ov-")) {
                    for (List<String> c : List.of(
                            List.of("ip", "neigh"), List.of("bridge", "fdb", "show"), List.of("ip", "-br", "link"))) {
                        List<String> command = new ArrayList<>(List.of("nsenter", "-t", pid, "-m", "ip", "-n", ns));
                        command.addAll(c.subList(1, c.size()));
                        if (c.getFirst().equals("bridge")) {
                            command = new ArrayList<>(List.of("nsenter", "-t", pid, "-m", "ip", "netns", "exec", ns));
                            command.addAll(c);
                        }
                        out.append(m.name())
                                .append(' ')
                                .append(ns)
                                .append(' ')
                                .append(c)
                                .append(":\n")
                                .append(run(command).output());
                    }
                }
            }
        }
        return out.toString();
    }

    /** The exit code of a TCP connection attempt from inside the task: 0 when it connected within 2 s. */
    private static int connect(Tasks tasks, JsonNode task, String host, int port)
            throws IOException, InterruptedException {
        return tasks.run(task, "/bin/busybox nc -w 2 " + host + " " + port + " </dev/null")
                .exitCode();
    }

    /** Which task answered an HTTP request to {@code host}: its address. */
    private static String who(Tasks tasks, JsonNode task, String host) throws IOException, InterruptedException {
        Ran r = tasks.run(task, "/bin/busybox wget -qO- http://" + host + "/cgi-bin/who");
        Matcher m = ETH0.matcher(r.output());
        if (r.exitCode() != 0 || !m.find()) {
            throw new AssertionError("wget " + host + " failed (" + r.exitCode() + "): " + r.output());
        }
        return m.group(1);
    }

    /** The addresses {@code nslookup name} gives inside the task (empty when it does not resolve). */
    private static Set<String> lookup(Tasks tasks, JsonNode task, String name)
            throws IOException, InterruptedException {
        Ran r = tasks.run(task, "/bin/busybox nslookup " + name);
        Set<String> out = new TreeSet<>();
        boolean answers = false;
        for (String line : r.output().lines().toList()) {
            if (line.startsWith("Name:")) {
                answers = true; // the lines before are the server's own address
            }
            Matcher m = ANSWER.matcher(line);
            if (answers && m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }
}
