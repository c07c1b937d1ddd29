package io.skep.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's HTTP client over a unix socket: answers read whole, and a silent daemon is a timeout. */
class UnixHttpClientTest {
    @TempDir
    Path dir;

    @Test
    void anAnswerIsReadByLengthOrInChunks() throws IOException {
        UnixHttpClient.Response byLength = UnixHttpClient.read(
                stream("HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"
                        + "{\"message\":\"out of order\"}\n"));
        assertEquals(409, byLength.status());
        assertEquals("out of order", byLength.message());
        assertFalse(byLength.ok());

        UnixHttpClient.Response chunked = UnixHttpClient.read(stream(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"ID\"\r\n7\r\n:\"abc\"}\r\n0\r\n\r\n"));
        assertTrue(chunked.ok());
        assertEquals("abc", chunked.json().path("ID").asText());

        assertThrows(
                IOException.class,
                () -> UnixHttpClient.read(stream("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}")));
        assertThrows(IOException.class, () -> UnixHttpClient.read(stream("SSH-2.0-OpenSSH\r\n")));
    }

    private static ByteArrayInputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRequestIsSentOnceWithItsJsonBodyAndTheAnswerComesBack() throws Exception {
        Path socket = dir.resolve("api.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            List<String> requests = new ArrayList<>();
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(4096);
                    String request = "";
                    while (!request.contains("\r\n\r\n") || !request.endsWith("}")) {
                        c.read(in);
                        request = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
                    }
                    requests.add(request);
                    c.write(ByteBuffer.wrap("HTTP/1.1 201 Created\r\nContent-Length: 10\r\n\r\n{\"ID\":\"x\"}"
                            .getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            UnixHttpClient.Response r = new UnixHttpClient(socket)
                    .send("POST", "/services/create", Map.of("Name", "a"), Duration.ofSeconds(10));
            served.join();
            assertEquals(201, r.status());
            assertEquals("x", r.json().path("ID").asText());
            String request = requests.getFirst();
            assertTrue(request.startsWith("POST /v1.41/services/create HTTP/1.1\r\n"), request);
            assertTrue(request.contains("Content-Length: 12\r\n") && request.endsWith("{\"Name\":\"a\"}"), request);
        }
    }

    @Test
    void aDaemonThatAcceptsButNeverAnswersIsATimeoutAndAMissingOneAFailure() throws Exception {
        Path socket = dir.resolve("stopped.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            // bound and listening, never accepting: what a SIGSTOPped daemon looks like to a client
            server.bind(UnixDomainSocketAddress.of(socket));
            long start = System.nanoTime();
            assertThrows(
                    SocketTimeoutException.class,
                    () -> new UnixHttpClient(socket).send("GET", "/_ping", null, Duration.ofMillis(300)));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds >= 0.3 && seconds < 5, "timed out after " + seconds + " s");
        }
        IOException missing = assertThrows(
                IOException.class,
                () -> new UnixHttpClient(dir.resolve("none.sock")).send("GET", "/_ping", null, Duration.ofSeconds(5)));
        assertFalse(missing instanceof SocketTimeoutException, missing.toString());
    }
}
