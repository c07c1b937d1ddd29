package io.skep.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.bench.SkepDaemon;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code skep daemon} of the image in its own network namespace, for the life of a run: started, killed
 * ({@code kill -9}) and started again on the same data directory, stopped ({@code SIGSTOP}) and continued. Its home
 * holds its data directory, its control socket and {@code daemon.log}, which every start of it appends to (after a
 * line saying when and why), so that a failed run leaves the whole story of each node.
 *
 * <p>Each namespace has its own ports, so every daemon listens on the same ones: the cluster port 2377 and the Raft
 * port 2378 on its namespace's address. Its control API is its unix socket alone.
 */
public final class ManagerProcess implements AutoCloseable {
    static final int CLUSTER_PORT = 2377;
    static final int RAFT_PORT = 2378;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final int index;
    private final String namespace;
    private final String address;
    private final Path home;
    private final Path skep;
    private final Map<String, String> env;
    private final UnixHttpClient api;
    private volatile Process process;
    private volatile boolean paused;
    private volatile String nodeId;

    ManagerProcess(int index, String namespace, String address, Path home, Path skep, Map<String, String> env) {
        this.index = index;
        this.namespace = namespace;
        this.address = address;
        this.home = home;
        this.skep = skep;
        this.env = env;
        this.api = new UnixHttpClient(home.resolve("skep.sock"));
    }

    /** {@code m1}, {@code m2}, …: the manager's name in the harness's reports. */
    public String name() {
        return "m" + index;
    }

    int index() {
        return index;
    }

    /** {@code address:2377}: where the other managers join it. */
    String clusterAddr() {
        return address + ":" + CLUSTER_PORT;
    }

    public Path log() {
        return home.resolve("daemon.log");
    }

    /** The process ID of the daemon's JVM (the launcher and {@code ip netns exec} both exec it). */
    public long pid() {
        return process.pid();
    }

    boolean running() {
        Process p = process;
        return p != null && p.isAlive();
    }

    boolean paused() {
        return paused;
    }

    /** Starts the daemon (on its existing data directory, if any); returns at once. */
    void start(String why) throws IOException {
        Files.createDirectories(home);
        Files.writeString(
                log(),
                "\n===== harness: starting " + name() + " at " + Instant.now() + " (" + why + ")\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(Shell.inNamespace(
                        namespace,
                        skep.toString(),
                        "daemon",
                        "--data-dir",
                        home.resolve("data").toString(),
                        "-H",
                        "unix://" + home.resolve("skep.sock"),
                        "--listen-addr",
                        clusterAddr(),
                        "--raft-port",
                        Integer.toString(RAFT_PORT)))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        paused = false;
    }

    /** Waits until the daemon answers its ping. */
    void awaitAnswer(Duration within) {
        SkepDaemon.await(name() + " to answer", within, Duration.ofMillis(50), this::answers);
    }

    boolean answers() {
        try {
            return call("GET", "/_ping", null, Duration.ofSeconds(2)).ok();
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code kill -9}, and waits for the process to be gone. */
    void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name() + " (pid " + p.pid() + ") did not die of SIGKILL in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        paused = false;
    }

    /** {@code SIGSTOP}: the process freezes with its sockets open (peers see a silent node, not a closed one). */
    void pause() {
        signal("STOP");
        paused = true;
    }

    /** {@code SIGCONT}. */
    void resume() {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) {
        Shell.ok("kill", "-" + name, Long.toString(pid()));
    }

    /** One request to the control API; see {@link UnixHttpClient#send}. */
    UnixHttpClient.Response call(String method, String path, Object body, Duration timeout) throws IOException {
        return api.send(method, path, body, timeout);
    }

    /** A request that must succeed; returns its JSON. */
    public JsonNode ok(String method, String path, Object body) {
        try {
            UnixHttpClient.Response r = call(method, path, body, CALL_TIMEOUT);
            if (!r.ok()) {
                throw new IllegalStateException(
                        name() + ": " + method + " " + path + " answered " + r.status() + ": " + r.message());
            }
            return r.json();
        } catch (IOException e) {
            throw new IllegalStateException(name() + ": " + method + " " + path + " failed: " + e, e);
        }
    }

    /** The node's ID in the swarm (read once it is in one). */
    public String nodeId() {
        if (nodeId == null) {
            String id = ok("GET", "/info", null).path("Swarm").path("NodeID").asText("");
            if (id.isEmpty()) {
                throw new IllegalStateException(name() + " is in no swarm");
            }
            nodeId = id;
        }
        return nodeId;
    }

    /** Kills the daemon (a stopped one too). Its task processes are the network's to kill, with its namespace. */
    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return name() + " (" + address + (nodeId == null ? "" : ", node " + nodeId) + ")";
    }
}
