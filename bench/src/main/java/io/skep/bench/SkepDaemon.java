package io.skep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One {@code skep daemon} process of the image on loopback, for the scenarios that run swarms of them: its own home
 * (data directory and {@code daemon.log}), its control API on a free loopback TCP port, driven over HTTP with JSON
 * bodies, and its cluster port on a free one ({@code --listen-addr 127.0.0.1:0}). Its Raft port is picked the same
 * way ({@code --raft-port 0}).
 */
public final class SkepDaemon implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a new daemon has to answer its first ping. */
    private static final Duration START = Duration.ofSeconds(120);

    private final String name;
    private final Path home;
    private final int api = freePort();
    private final Process process;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile String nodeId;

    /**
     * Starts the daemon and waits until its control API answers.
     *
     * @param env added to the daemon's environment (e.g. {@code JDK_JAVA_OPTIONS}: the launcher execs {@code java},
     *            which reads it)
     */
    public SkepDaemon(Path skep, Path home, String name, Map<String, String> env) throws IOException {
        this.name = name;
        this.home = home;
        Files.createDirectories(home);
        ProcessBuilder builder = new ProcessBuilder(
                        skep.toString(),
                        "daemon",
                        "--data-dir",
                        home.resolve("data").toString(),
                        "-H",
                        "tcp://127.0.0.1:" + api,
                        "--raft-port",
                        "0",
                        "--listen-addr",
                        "127.0.0.1:0")
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("daemon.log").toFile());
        builder.environment().putAll(env);
        process = builder.start();
        try {
            await(name + " to answer", START, Duration.ofMillis(20), () -> call("GET", "/_ping", null) != null);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    public Path home() {
        return home;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** The loopback TCP port of its control API. */
    public int apiPort() {
        return api;
    }

    /** The control API's answer (an empty object for an empty body, a text node for a text body), or null on failure. */
    public JsonNode call(String method, String path, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api + "/v1.41" + path))
                    .timeout(Duration.ofSeconds(30));
            b.method(
                    method,
                    body == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() >= 300) {
                return null;
            }
            boolean json = r.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
            return r.body().length == 0
                    ? JSON.createObjectNode()
                    : json
                            ? JSON.readTree(r.body())
                            : JSON.getNodeFactory().textNode(new String(r.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@link #call}, which must succeed. */
    public JsonNode ok(String method, String path, Object body) {
        JsonNode n = call(method, path, body);
        if (n == null) {
            throw new IllegalStateException(name + ": " + method + " " + path + " failed");
        }
        return n;
    }

    /** This daemon's node ID once it is in a swarm (read once from {@code GET /info}). */
    public String nodeId() {
        if (nodeId == null) {
            String id = ok("GET", "/info", null).path("Swarm").path("NodeID").asText("");
            if (id.isEmpty()) {
                throw new IllegalStateException(name + " is in no swarm");
            }
            nodeId = id;
        }
        return nodeId;
    }

    /** {@code swarm init} on loopback; returns this node's ID. */
    public String initSwarm() {
        nodeId = ok("POST", "/swarm/init", Map.of("ListenAddr", "127.0.0.1:0")).asText();
        return nodeId;
    }

    /** This manager's cluster port, {@code host:port}, as the swarm has it. */
    public String clusterAddr() {
        return ok("GET", "/nodes/" + nodeId(), null)
                .path("ManagerStatus")
                .path("Addr")
                .asText();
    }

    /** The swarm's join token for {@code role} ({@code Worker} or {@code Manager}). */
    public String joinToken(String role) {
        return ok("GET", "/swarm", null).path("JoinTokens").path(role).asText();
    }

    /** Kills the process ({@code kill -9}) and waits for it to end. */
    public void kill() {
        process.destroyForcibly();
        waitFor(process);
    }

    /**
     * Asks the process to stop (SIGTERM: its shutdown hooks run, a flight recording is written) and waits up to
     * {@code grace}, then kills it.
     */
    public void stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    @Override
    public void close() {
        kill();
        http.shutdownNow();
    }

    private static void waitFor(Process p) {
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls {@code condition} every {@code every} until it holds; fails after {@code within}. */
    public static void await(String what, Duration within, Duration every, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** A TCP port free on loopback right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
