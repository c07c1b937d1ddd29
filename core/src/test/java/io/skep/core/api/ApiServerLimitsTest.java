package io.skep.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.api.model.Json;
import io.skep.core.cluster.ClusterClient;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.NodeRole;
import io.skep.core.pki.RootCa;
import io.skep.core.testing.Await;
import io.skep.core.tls.NodeTls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bounds of an {@link ApiServer} connection, over real sockets (and real TLS for the cap before authentication):
 * body caps, timeouts, connection caps, requests answered one at a time and in order. Each test's limits are small,
 * so that a test takes a second, not a minute.
 */
class ApiServerLimitsTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> closing = new ArrayList<>();
    /** Routes running now, and the most that ran at once. */
    private final AtomicInteger running = new AtomicInteger();

    private final AtomicInteger mostRunning = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() throws Exception {
        release.countDown();
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private static ListenerLimits limits(
            long beforeAuth, long body, Duration idle, Duration request, Duration write, int perPeer, int total) {
        return new ListenerLimits(beforeAuth, body, idle, request, write, perPeer, total);
    }

    private Router router() {
        return new Router()
                .add("POST", "/echo", r -> ApiResponse.ok(Map.of("Length", r.body().length)))
                .add(
                        "GET",
                        "/block/{n}",
                        r -> counted(() -> {
                            started.incrementAndGet();
                            assertTrue(release.await(WAIT.toSeconds(), TimeUnit.SECONDS), "never released");
                            return r.param("n");
                        }))
                .add(
                        "GET",
                        "/quick/{n}",
                        r -> counted(() -> {
                            started.incrementAndGet();
                            return r.param("n");
                        }))
                // a long poll: it answers "no change" after longer than the connection's idle and request timeouts
                .add("GET", "/poll", r -> {
                    long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
                    while (System.nanoTime() < deadline) {
                        release.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    }
                    return ApiResponse.ok(Map.of("Changed", false));
                })
                .add(
                        "GET",
                        "/big",
                        r -> new ApiResponse(200, "application/octet-stream", new byte[64 << 20], Map.of()));
    }

    private interface Body {
        String get() throws Exception;
    }

    private ApiResponse counted(Body body) throws Exception {
        mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            return ApiResponse.ok(Map.of("N", body.get()));
        } finally {
            running.decrementAndGet();
        }
    }

    private ApiServer server(ListenerLimits limits) throws Exception {
        ApiServer server = new ApiServer(router(), Map.of(), limits);
        closing.add(server);
        return server;
    }

    /** A plain TCP listener of {@code limits} on loopback; returns its port. */
    private int plain(ListenerLimits limits) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        server(limits).listen(URI.create("tcp://127.0.0.1:" + port), ControlAccess.DEFAULT);
        return port;
    }

    private Socket connect(int port) throws IOException {
        return connect(port, "127.0.0.1");
    }

    private Socket connect(int port, String from) throws IOException {
        Socket s = new Socket("127.0.0.1", port, InetAddress.getByName(from), 0);
        s.setSoTimeout((int) WAIT.toMillis());
        closing.add(s);
        return s;
    }

    /** Writes {@code text}, its {@code {host}} the server's address (a loopback listener takes no other Host). */
    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.replace("{host}", "127.0.0.1:" + s.getPort()).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private record Answer(int status, Map<String, String> headers, byte[] body) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(body);
        }
    }

    /** One HTTP answer read off the socket (Content-Length framed, as the server frames every answer). */
    private static Answer read(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("connection closed before an answer");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(
                    h.substring(0, colon).strip().toLowerCase(),
                    h.substring(colon + 1).strip());
        }
        byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers, body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Whether the server closed the connection: a read ends (or is reset) within {@link #WAIT}. */
    private static boolean closedByServer(Socket s) {
        try {
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // whatever the server sent before it closed
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void aDeclaredBodyOverTheCapIsRefusedWith413BeforeAByteOfItIsSent() throws Exception {
        int port = plain(limits(1024, 1024, LONG, LONG, LONG, 10, 10));
        Socket s = connect(port);
        // Headers alone: the server answers without waiting for the 10 MB it was promised.
        send(
                s,
                "POST /echo HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n");
        Answer a = read(s);
        assertEquals(413, a.status());
        assertEquals(
                "request body too large: at most 1 KiB",
                a.json().path("message").asText());
        assertEquals("close", a.headers().get("connection"));
        assertTrue(closedByServer(s));

        Socket ok = connect(port);
        send(ok, "POST /echo HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1024\r\n\r\n" + "x".repeat(1024));
        Answer fits = read(ok);
        assertEquals(200, fits.status());
        assertEquals(1024, fits.json().path("Length").asInt());
    }

    @Test
    void aRefusedClientStillSendingItsBodyIsReadAndDroppedUntilItStopsThenClosed() throws Exception {
        int port = plain(limits(1024, 1024, LONG, LONG, LONG, 10, 10));
        Socket s = connect(port);
        int length = 256 * 1024;
        send(s, "POST /echo HTTP/1.1\r\nHost: {host}\r\nContent-Length: " + length + "\r\n\r\n");
        assertEquals(413, read(s).status());
        // A client that writes its body before it reads (as most do) goes on writing after the answer. Had the server
        // closed with those bytes unread, or before they came, its kernel would answer them with a reset, and a client
        // that had not read the answer yet would never see it.
        byte[] piece = new byte[16 * 1024];
        java.io.OutputStream out = s.getOutputStream();
        for (int sent = 0; sent < length; sent += piece.length) {
            out.write(piece);
        }
        out.flush();
        s.shutdownOutput(); // the client is done: the server need not linger longer
        try {
            assertEquals(-1, s.getInputStream().read(), "nothing after the answer");
        } catch (IOException e) {
            throw new AssertionError("the server reset the connection instead of reading the refused body", e);
        }
    }

    @Test
    void aChunkedBodyIsCountedAsItComesAndRefusedOnceOverTheCap() throws Exception {
        int port = plain(limits(1024, 1024, LONG, LONG, LONG, 10, 10));
        Socket s = connect(port);
        send(s, "POST /echo HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n");
        String chunk = Integer.toHexString(600) + "\r\n" + "y".repeat(600) + "\r\n";
        send(s, chunk + chunk); // 1,200 bytes, and no last chunk: the server must not wait for the end
        Answer a = read(s);
        assertEquals(413, a.status());
        assertTrue(
                a.json().path("message").asText().contains("at most 1 KiB"),
                a.json().toString());
        assertTrue(closedByServer(s));
    }

    @Test
    void onTheClusterPortAClientWithoutACertificateGetsTheSmallCapAndANodeTheLargeOne() throws Exception {
        SecureRandom random = new SecureRandom();
        RootCa ca = RootCa.create(random, Instant.now());
        NodeCertificate managerCert = ca.issue(
                io.skep.api.model.Ids.newId(), NodeRole.MANAGER, "c1", Duration.ofHours(2), random, Instant.now());
        NodeCertificate workerCert = ca.issue(
                io.skep.api.model.Ids.newId(), NodeRole.WORKER, "c1", Duration.ofHours(2), random, Instant.now());
        ApiServer server = server(limits(1024, 64 * 1024, LONG, LONG, LONG, 10, 10));
        InetSocketAddress bound = server.listen(
                new InetSocketAddress("127.0.0.1", 0), new NodeTls(managerCert, ca.certificate()).clusterServer());
        String addr = "127.0.0.1:" + bound.getPort();
        String twoKib = "z".repeat(2048);

        ClusterClient anonymous = new ClusterClient(NodeTls.trusting(ca.certificate()), List.of(addr));
        closing.add(anonymous);
        ClusterClient.CallFailed refused =
                assertThrows(ClusterClient.CallFailed.class, () -> anonymous.post("/echo", twoKib, JsonNode.class));
        assertEquals(413, refused.status());
        assertEquals(
                "request body too large: at most 1 KiB from a client without a node certificate", refused.getMessage());
        assertEquals(
                26,
                anonymous
                        .post("/echo", "z".repeat(24), JsonNode.class)
                        .path("Length")
                        .asInt(),
                "a small body goes through"); // 24 characters of a JSON string, and its quotes

        ClusterClient member =
                new ClusterClient(new NodeTls(workerCert, ca.certificate()).clientContext(), List.of(addr));
        closing.add(member);
        assertEquals(
                twoKib.length() + 2,
                member.post("/echo", twoKib, JsonNode.class).path("Length").asInt());
        ClusterClient.CallFailed tooBig = assertThrows(
                ClusterClient.CallFailed.class, () -> member.post("/echo", "z".repeat(65 * 1024), JsonNode.class));
        assertEquals(413, tooBig.status());
        assertEquals("request body too large: at most 64 KiB", tooBig.getMessage());
    }

    @Test
    void pipelinedRequestsAreAnsweredOneAtATimeAndInOrder() throws Exception {
        int port = plain(limits(1024, 1024, LONG, LONG, LONG, 10, 10));
        Socket s = connect(port);
        send(
                s,
                "GET /block/1 HTTP/1.1\r\nHost: {host}\r\n\r\nGET /quick/2 HTTP/1.1\r\nHost: {host}\r\n\r\n"
                        + "GET /quick/3 HTTP/1.1\r\nHost: {host}\r\n\r\n");
        Await.until(WAIT, "the first request's route to start", () -> started.get() >= 1);
        // While the first is answered, the others wait: no answer comes out of turn, no second route runs.
        s.setSoTimeout(500);
        assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read(), "an answer came before the first");
        assertEquals(1, started.get());
        s.setSoTimeout((int) WAIT.toMillis());
        release.countDown();
        for (String n : List.of("1", "2", "3")) {
            Answer a = read(s);
            assertEquals(200, a.status());
            assertEquals(n, a.json().path("N").asText());
        }
        assertEquals(1, mostRunning.get(), "one route at a time on a connection");
    }

    @Test
    void aClientThatSendsItsRequestTooSlowlyIsClosed() throws Exception {
        int port = plain(limits(1024, 1024, LONG, Duration.ofMillis(500), LONG, 10, 10));
        Socket s = connect(port);
        long t0 = System.nanoTime();
        send(s, "GET /quick/1 HTTP/1.1\r\n");
        boolean closed = false;
        // Slowloris: a header byte every 50 ms, never the end of the headers; the idle timeout is a minute.
        for (int i = 0; !closed && System.nanoTime() - t0 < WAIT.toNanos(); i++) {
            try {
                send(s, i % 20 == 19 ? "\r\n" : "X");
                Thread.sleep(50); // the slow client's pace, not a synchronisation
            } catch (IOException reset) {
                closed = true;
            }
        }
        assertTrue(closed || closedByServer(s), "a slow request was not cut");
        long elapsed = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertTrue(elapsed >= 450 && elapsed < WAIT.toMillis(), "closed after " + elapsed + " ms");
        assertEquals(0, started.get(), "no route ran");
    }

    @Test
    void anIdleConnectionIsClosedButALongPollIsNot() throws Exception {
        int port = plain(limits(1024, 1024, Duration.ofMillis(300), Duration.ofMillis(300), LONG, 10, 10));
        Socket idle = connect(port);
        long t0 = System.nanoTime();
        assertTrue(closedByServer(idle), "an idle connection stays open");
        assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(250).toNanos());

        // A route that answers after 1.5 s, five times the timeouts: the connection waits for it, then idles again.
        Socket poll = connect(port);
        send(poll, "GET /poll HTTP/1.1\r\nHost: {host}\r\n\r\n");
        Answer a = read(poll);
        assertEquals(200, a.status());
        assertFalse(a.json().path("Changed").asBoolean(true));
        send(poll, "GET /quick/7 HTTP/1.1\r\nHost: {host}\r\n\r\n");
        assertEquals("7", read(poll).json().path("N").asText(), "the kept-alive connection still serves");
        assertTrue(closedByServer(poll), "and closes once idle");
    }

    @Test
    void aClientThatDoesNotReadItsAnswerIsClosedAfterTheWriteTimeout() throws Exception {
        ApiServer server = server(limits(1024, 1024, LONG, LONG, Duration.ofMillis(500), 10, 10));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        server.listen(URI.create("tcp://127.0.0.1:" + port), ControlAccess.DEFAULT);
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        closing.add(s);
        send(s, "GET /big HTTP/1.1\r\nHost: {host}\r\n\r\n"); // 64 MB, never read
        Await.until(WAIT, "the server to give up on the client", () -> server.openConnections() == 0);
    }

    @Test
    void connectionsOverTheCapsAreClosedAtOnce() throws Exception {
        ApiServer server = server(limits(1024, 1024, LONG, LONG, LONG, 2, 3));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        server.listen(URI.create("tcp://127.0.0.1:" + port), ControlAccess.DEFAULT);
        Socket a1 = served(port, "127.0.0.1");
        served(port, "127.0.0.1");
        Socket a3 = connect(port, "127.0.0.1");
        assertTrue(closedByServer(a3), "a third connection from one address");
        served(port, "127.0.0.2"); // another address has room of its own
        assertTrue(closedByServer(connect(port, "127.0.0.3")), "a fourth connection in all");

        a1.close();
        Await.until(WAIT, "the closed connection to be counted out", () -> server.openConnections() == 2);
        served(port, "127.0.0.1");
    }

    /** A connection from {@code from} that the server admitted: it answers a request on it. */
    private Socket served(int port, String from) throws IOException {
        Socket s = connect(port, from);
        send(s, "GET /quick/0 HTTP/1.1\r\nHost: {host}\r\n\r\n");
        assertEquals(200, read(s).status());
        return s;
    }

    @Test
    void anOverlongRequestLineOrHeaderOrAMalformedRequestIsRefusedAndTheConnectionClosed() throws Exception {
        int port = plain(limits(1024, 1024, LONG, LONG, LONG, 10, 10));
        Socket line = connect(port);
        send(line, "GET /quick/" + "1".repeat(ApiServer.MAX_REQUEST_LINE) + " HTTP/1.1\r\nHost: {host}\r\n\r\n");
        Answer a = read(line);
        assertEquals(414, a.status());
        assertTrue(a.json().path("message").asText().startsWith("request line too long: at most 16 KiB"));
        assertTrue(closedByServer(line));

        Socket header = connect(port);
        send(
                header,
                "GET /quick/1 HTTP/1.1\r\nHost: {host}\r\nX-Big: " + "h".repeat(ApiServer.MAX_HEADERS) + "\r\n\r\n");
        Answer h = read(header);
        assertEquals(431, h.status());
        assertEquals(
                "request headers too large: at most 32 KiB",
                h.json().path("message").asText());

        Socket broken = connect(port);
        send(broken, "GET /quick/1 HTTP/1.1\r\nHost: {host}\r\nContent-Length: 12, 13\r\n\r\n");
        Answer b = read(broken);
        assertEquals(400, b.status());
        assertTrue(
                b.json().path("message").asText().startsWith("malformed HTTP request"),
                b.json().toString());
        assertTrue(closedByServer(broken));

        Socket escape = connect(port);
        send(escape, "GET /quick/%zz HTTP/1.1\r\nHost: {host}\r\n\r\n");
        Answer e = read(escape);
        assertEquals(400, e.status());
        assertTrue(
                e.json().path("message").asText().startsWith("invalid request URI"),
                e.json().toString());
        assertEquals(0, started.get(), "no route ran");
    }
}
