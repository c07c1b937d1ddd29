package io.skep.bench.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The few reads of the Docker Engine API the scenario polls with, straight over the engine's unix socket (one
 * HTTP/1.0 request per connection, so the answer ends with the connection): cheaper for the machine than a
 * {@code docker ps} process every poll, and the same data.
 */
final class EngineApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;

    EngineApi(String host) {
        this.socket = socketOf(host);
    }

    /** The socket path of a {@code unix://} host. */
    static Path socketOf(String host) {
        if (!host.startsWith("unix://") || host.length() <= "unix://".length()) {
            throw new IllegalArgumentException("expected unix:///path, got '" + host + "'");
        }
        return Path.of(host.substring("unix://".length()));
    }

    /** The containers, in any state, that carry {@code label} ({@code key=value}). */
    List<Snapshot.Container> containers(String label, Duration timeout) throws IOException {
        String filters = "{\"label\":[\"" + label.replace("\"", "\\\"") + "\"]}";
        return containersOf(
                get("/containers/json?all=1&filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8), timeout));
    }

    /** "Docker Engine VERSION (API V, N CPUs)". */
    String describe(Duration timeout) throws IOException {
        JsonNode version = get("/version", timeout);
        JsonNode info = get("/info", timeout);
        return "Docker Engine " + version.path("Version").asText("?") + " (API "
                + version.path("ApiVersion").asText("?") + ", "
                + info.path("NCPU").asInt() + " CPUs, "
                + info.path("Containers").asInt() + " containers before the run)";
    }

    JsonNode get(String pathAndQuery, Duration timeout) throws IOException {
        byte[] raw = exchange(
                ("GET " + pathAndQuery + " HTTP/1.0\r\nHost: docker\r\n\r\n").getBytes(StandardCharsets.US_ASCII),
                timeout);
        Response response = Response.parse(raw);
        if (response.status() != 200) {
            throw new IOException("GET " + pathAndQuery + ": HTTP " + response.status() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8).strip());
        }
        return JSON.readTree(response.body());
    }

    /** Sends the request and reads until the engine closes the connection, within {@code timeout}. */
    private byte[] exchange(byte[] request, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                Selector selector = Selector.open()) {
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new IOException(
                            "the engine at " + socket + " did not answer within " + timeout.toMillis() + " ms");
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int n;
                while ((n = channel.read(in)) > 0) {
                    received.write(in.array(), 0, in.position());
                    in.clear();
                }
                if (n < 0) {
                    return received.toByteArray();
                }
            }
        }
    }

    /** An HTTP response: its status and its body (de-chunked). */
    record Response(int status, byte[] body) {

        static Response parse(byte[] raw) throws IOException {
            int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (end < 0) {
                throw new IOException("not an HTTP response (no end of headers)");
            }
            String[] head = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] statusLine = head[0].split(" ", 3);
            int status;
            try {
                status = statusLine[0].startsWith("HTTP/") && statusLine.length > 1
                        ? Integer.parseInt(statusLine[1])
                        : -1;
            } catch (NumberFormatException e) {
                status = -1;
            }
            if (status < 0) {
                throw new IOException("not an HTTP response: '" + head[0] + "'");
            }
            boolean chunked = false;
            for (int i = 1; i < head.length; i++) {
                String line = head[i].toLowerCase(Locale.ROOT);
                if (line.startsWith("transfer-encoding:") && line.contains("chunked")) {
                    chunked = true;
                }
            }
            byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
            return new Response(status, chunked ? dechunk(body) : body);
        }

        private static byte[] dechunk(byte[] body) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int at = 0;
            while (true) {
                int lineEnd = indexOf(body, at, "\r\n".getBytes(StandardCharsets.US_ASCII));
                if (lineEnd < 0) {
                    throw new IOException("truncated chunked body");
                }
                String size = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII);
                int semicolon = size.indexOf(';');
                int length;
                try {
                    length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size '" + size + "'");
                }
                if (length == 0) {
                    return out.toByteArray();
                }
                int start = lineEnd + 2;
                if (start + length > body.length) {
                    throw new IOException("truncated chunked body");
                }
                out.write(body, start, length);
                at = start + length + 2; // the chunk's CRLF
            }
        }
    }

    /** The containers of a {@code GET /containers/json} answer. */
    static List<Snapshot.Container> containersOf(JsonNode array) throws IOException {
        if (!array.isArray()) {
            throw new IOException("expected a JSON array of containers, got " + array.getNodeType());
        }
        List<Snapshot.Container> containers = new ArrayList<>();
        for (JsonNode c : array) {
            containers.add(new Snapshot.Container(
                    c.path("Id").asText(),
                    c.path("State").asText(),
                    c.path("ImageID").asText()));
        }
        return containers;
    }

    static List<Snapshot.Container> containersOf(String json) throws IOException {
        return containersOf(JSON.readTree(json));
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        return indexOf(data, 0, pattern);
    }

    private static int indexOf(byte[] data, int from, byte[] pattern) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
