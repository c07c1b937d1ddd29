package io.skep.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.api.model.Json;
import io.skep.core.api.ControlAccess;
import io.skep.core.node.Daemon;
import io.skep.core.node.DaemonConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real skep node in the test's JVM, with the control API on a loopback TCP port, driven over real HTTP.
 */
public final class TestDaemon implements AutoCloseable {
    public record Response(int status, JsonNode body) {
        public String message() {
            return body == null ? null : body.path("message").asText(null);
        }
    }

    static {
        // No pooled connection outlives a restart of the node (the JDK drops a "Connection" request header).
        System.setProperty("http.keepAlive", "false");
    }

    private final Path dataDir;
    private final String address;
    private final int port;
    private final ControlAccess access;
    private Daemon daemon;

    public TestDaemon(Path dataDir) throws Exception {
        this(dataDir, "127.0.0.1", ControlAccess.DEFAULT);
    }

    /**
     * A node whose control API listens on {@code address} ({@code 0.0.0.0} too: the test reaches it on loopback)
     * with {@code access}'s TLS.
     */
    public TestDaemon(Path dataDir, String address, ControlAccess access) throws Exception {
        this.dataDir = dataDir;
        this.address = address;
        this.port = freePort();
        this.access = access;
        start();
    }

    public void start() throws Exception {
        daemon = Daemon.start(new DaemonConfig(
                dataDir,
                List.of(URI.create("tcp://" + address + ":" + port)),
                null,
                0,
                "127.0.0.1:0",
                null,
                Map.of(),
                access));
    }

    /** The control API's port. */
    public int port() {
        return port;
    }

    /** Stops the node as a crash would leave it for the next start: the data directory stays. */
    public void stop() {
        daemon.close();
    }

    /** The node's control API address, for the CLI. */
    public String host() {
        return "tcp://127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The node itself (for what no API reaches, such as renewing its certificate at a given time). */
    public Daemon daemon() {
        return daemon;
    }

    public Response call(String method, String path, Object body) throws IOException {
        HttpURLConnection c = (HttpURLConnection)
                URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(5_000);
        c.setReadTimeout(60_000);
        if (body != null) {
            byte[] bytes = body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : Json.bytes(body);
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(bytes);
            }
        }
        int status = c.getResponseCode();
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            byte[] bytes = in == null ? new byte[0] : in.readAllBytes();
            return new Response(status, bytes.length == 0 ? null : Json.MAPPER.readTree(bytes));
        }
    }

    public JsonNode get(String path) throws IOException {
        Response r = call("GET", path, null);
        if (r.status() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.status() + ": " + r.message());
        }
        return r.body();
    }

    public Response post(String path, Object body) throws IOException {
        return call("POST", path, body);
    }

    /** Initialises the swarm. */
    public String init() throws IOException {
        Response r = post("/v1.41/swarm/init", "{}");
        if (r.status() != 200) {
            throw new AssertionError("swarm init answered " + r.status() + ": " + r.message());
        }
        return r.body().asText();
    }

    @Override
    public void close() {
        daemon.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
