package io.skep.distribution;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Just enough of a Docker registry (API v2, plain HTTP on 127.0.0.1, which dockerd treats as insecure) to hold a
 * pull: {@code GET /v2/} answers 200; every manifest request is held open until {@link #release}, then answered 404
 * {@code MANIFEST_UNKNOWN}. Anything else (dockerd's TLS attempt first among them) gets the connection closed.
 */
final class HeldRegistry implements AutoCloseable {

    /** The first byte of a TLS record that opens a handshake. */
    private static final int TLS_HANDSHAKE = 0x16;

    private final ServerSocket server;
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch manifestAsked = new CountDownLatch(1);

    HeldRegistry() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("held-registry").start(this::accept);
    }

    /** {@code 127.0.0.1:<port>}, the registry part of an image name. */
    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Waits up to {@code timeout} for dockerd to ask for a manifest; true when it has. */
    boolean awaitManifestRequest(java.time.Duration timeout) throws InterruptedException {
        return manifestAsked.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Answers the held manifest requests (and all later ones at once): 404. */
    void release() {
        released.countDown();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream raw = new BufferedInputStream(socket.getInputStream());
            raw.mark(1);
            if (raw.read() == TLS_HANDSHAKE) {
                return; // dockerd tries TLS first; refused, it falls back to plain HTTP for an insecure registry
            }
            raw.reset();
            BufferedReader in = new BufferedReader(new InputStreamReader(raw, StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = in.readLine();
                if (requestLine == null || !requestLine.matches("[A-Z]+ \\S+ HTTP/1\\.[01]")) {
                    return; // not HTTP
                }
                String line;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    // headers: none matter here
                }
                String path = requestLine.split(" ")[1];
                if (path.equals("/v2/") || path.equals("/v2")) {
                    respond(out, "200 OK", "{}");
                } else if (path.contains("/manifests/")) {
                    manifestAsked.countDown();
                    released.await();
                    respond(
                            out,
                            "404 Not Found",
                            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\","
                                    + "\"message\":\"manifest unknown\",\"detail\":\"held and refused by the test\"}]}");
                } else {
                    respond(
                            out,
                            "404 Not Found",
                            "{\"errors\":[{\"code\":\"NAME_UNKNOWN\","
                                    + "\"message\":\"repository name not known to registry\"}]}");
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or the test ended
        }
    }

    private static void respond(OutputStream out, String status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n"
                + "Docker-Distribution-Api-Version: registry/2.0\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        release();
        server.close();
    }
}
