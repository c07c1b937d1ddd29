package io.skep.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.client.DaemonClient;
import io.skep.core.testing.TestDaemon;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plaintext loopback listener of the control API against what a browser sends on its own (raw HTTP, headers as
 * browsers write them), and against what the docker CLI and skep's send (they must pass).
 */
class BrowserGuardTest {
    @TempDir
    static Path dir;

    private static TestDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = new TestDaemon(dir.resolve("node"));
    }

    @AfterAll
    static void stop() {
        daemon.close();
    }

    /** Sends one request (headers, then body) and returns the status line and the body. */
    private static String send(String head, String body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), daemon.port())) {
            socket.setSoTimeout(10_000);
            String request = head.replace("PORT", String.valueOf(daemon.port())) + "Content-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body;
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int bodyAt = answer.indexOf("\r\n\r\n");
            return answer.substring(0, answer.indexOf("\r\n")) + " " + answer.substring(bodyAt + 4);
        }
    }

    private static void assertRefused(String head, String body, String reason) throws IOException {
        String answer = send(head, body);
        assertTrue(answer.startsWith("HTTP/1.1 403 Forbidden {\"message\":\"") && answer.contains(reason), answer);
    }

    @Test
    void whatTheClisSendPasses() throws IOException {
        // The docker CLI 28 on tcp://127.0.0.1 and tcp://localhost; an older one's bodyless POST (text/plain).
        assertTrue(
                send("GET /_ping HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\n", "")
                        .startsWith("HTTP/1.1 200 OK"));
        assertTrue(send(
                        "GET /v1.41/version HTTP/1.1\r\nHost: localhost:PORT\r\nUser-Agent: Docker-Client/28.2.2 "
                                + "(linux)\r\nAccept-Encoding: gzip\r\n",
                        "")
                .startsWith("HTTP/1.1 200 OK"));
        assertTrue(
                send(
                                "POST /v1.41/swarm/leave HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nUser-Agent: "
                                        + "Docker-Client/20.10.24 (linux)\r\nContent-Type: text/plain\r\n",
                                "")
                        .startsWith("HTTP/1.1 503"),
                "past the guard: no swarm to leave");
        assertTrue(send("GET /_ping HTTP/1.1\r\nHost: [::1]:PORT\r\n", "").startsWith("HTTP/1.1 200 OK"));
        assertTrue(send("GET /_ping HTTP/1.1\r\nHost: api.moby.localhost:PORT\r\n", "")
                .startsWith("HTTP/1.1 200 OK"));
        // A browser's own navigation (typed in the address bar) reads.
        assertTrue(send(
                        "GET /_ping HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nUser-Agent: Mozilla/5.0\r\n"
                                + "Sec-Fetch-Site: none\r\n",
                        "")
                .startsWith("HTTP/1.1 200 OK"));
        try (DaemonClient skep = new DaemonClient(daemon.host())) {
            assertEquals(200, skep.get("/version").status());
            assertEquals(503, leaveStatus(skep), "a POST with a JSON body passes");
        }
    }

    private static int leaveStatus(DaemonClient client) {
        try {
            client.post("/swarm/leave", java.util.Map.of());
            return 200;
        } catch (io.skep.client.DaemonException e) {
            return e.status();
        }
    }

    @Test
    void dnsRebindingIsRefused() throws IOException {
        assertRefused(
                "GET /v1.41/swarm HTTP/1.1\r\nHost: attacker.example:PORT\r\nUser-Agent: Mozilla/5.0\r\n",
                "",
                "Host \\\"attacker.example:" + daemon.port() + "\\\" is not this listener");
        assertRefused("GET /v1.41/swarm HTTP/1.1\r\nHost: 127.0.0.1.nip.io:PORT\r\n", "", "is not this listener");
        assertRefused("GET /v1.41/swarm HTTP/1.1\r\nHost: 127.0.0.1:1\r\n", "", "is not this listener");
        assertRefused("GET /v1.41/swarm HTTP/1.1\r\nHost: 127.0.0.1\r\n", "", "is not this listener");
        assertRefused("GET /v1.41/swarm HTTP/1.1\r\n", "", "Host missing");
    }

    @Test
    void crossSiteRequestsAreRefused() throws IOException {
        String spec = "{\"Name\":\"x\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"host\"}}}";
        assertRefused(
                "POST /v1.41/services/create HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nOrigin: https://attacker.example"
                        + "\r\nContent-Type: application/json\r\n",
                spec,
                "cross-origin request refused (Origin: https://attacker.example)");
        assertRefused(
                "GET /v1.41/swarm HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nSec-Fetch-Site: cross-site\r\n",
                "",
                "cross-site request refused (Sec-Fetch-Site: cross-site)");
        assertRefused(
                "GET /v1.41/swarm HTTP/1.1\r\nHost: localhost:PORT\r\nSec-Fetch-Site: same-site\r\n",
                "",
                "cross-site request refused");
        // A form a page posts, from a browser that marks nothing.
        assertRefused(
                "POST /v1.41/services/create HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Type: text/plain\r\n",
                spec,
                "can send a POST of Content-Type text/plain to any site");
        assertRefused(
                "POST /v1.41/swarm/leave?force=1 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\n",
                "",
                "application/x-www-form-urlencoded");
        assertRefused(
                "POST /v1.41/swarm/leave?force=1 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n"
                        + "Content-Type: multipart/form-data; boundary=x\r\n",
                "",
                "multipart/form-data");
        assertRefused(
                "POST /v1.41/swarm/leave?force=1 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nUser-Agent: Mozilla/5.0 "
                        + "(X11; Linux x86_64)\r\nContent-Type: text/plain;charset=UTF-8\r\n",
                "",
                "text/plain");
    }
}
