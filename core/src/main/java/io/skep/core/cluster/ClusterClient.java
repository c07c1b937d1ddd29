package io.skep.core.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.api.model.Json;
import io.skep.core.ca.CertificateAuthority;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A node's client of the managers' cluster ports (HTTPS, the node's certificate shown when it has one). Calls go to
 * the manager that answered last; when it does not answer, to the next one in the list.
 */
public final class ClusterClient implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    /** A call the manager answered with an error status: {@link #status()} and the manager's message. */
    public static final class CallFailed extends IOException {
        private final int status;

        CallFailed(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final HttpClient http;
    private volatile List<String> managers;
    private volatile int current;

    /** @param managers the managers' cluster addresses, {@code host:port} */
    public ClusterClient(SSLContext tls, List<String> managers) {
        if (managers.isEmpty()) {
            throw new IllegalArgumentException("no manager address to reach the swarm at");
        }
        this.managers = List.copyOf(managers);
        this.http = HttpClient.newBuilder()
                .sslContext(tls)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    /** The managers' addresses as last learnt, the one in use first. */
    public List<String> managers() {
        List<String> all = managers;
        int c = current;
        List<String> out = new java.util.ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            out.add(all.get((c + i) % all.size()));
        }
        return out;
    }

    /** Takes a new list of managers (the leader's first), as the managers send it; the first is used from now on. */
    public void managers(List<String> next) {
        if (!next.isEmpty() && !next.equals(managers())) {
            managers = List.copyOf(next);
            current = 0;
        }
    }

    /** The swarm's root CA certificate (PEM) as the manager shows it: check it before trusting it. */
    public String rootCaPem() throws IOException, InterruptedException {
        return get("/ca", ClusterWire.RootCaAnswer.class, CALL_TIMEOUT).rootCa();
    }

    /** Asks to be admitted: the token, and a certificate request for the key the node keeps. */
    public CertificateAuthority.Issued join(CertificateAuthority.JoinRequest request)
            throws IOException, InterruptedException {
        return post("/join", request, CertificateAuthority.Issued.class);
    }

    /** A new certificate for this node (a member), for the key of {@code csrPem}. */
    public CertificateAuthority.Issued renew(String csrPem) throws IOException, InterruptedException {
        return post("/certificates/renew", new ClusterWire.RenewRequest(csrPem), CertificateAuthority.Issued.class);
    }

    /**
     * The store's data key, which a manager needs before its Raft member opens an entry (asked with a manager's
     * certificate: no one else gets it).
     */
    public io.skep.core.store.DataKey dataKey() throws IOException, InterruptedException {
        String key =
                get("/raft/key", ClusterWire.DataKeyAnswer.class, CALL_TIMEOUT).key();
        try {
            return io.skep.core.store.DataKey.of(java.util.Base64.getDecoder().decode(key == null ? "" : key));
        } catch (IllegalArgumentException e) {
            throw new IOException("the manager sent no valid data key: " + e.getMessage());
        }
    }

    /** Asks the leader to add this manager to the Raft group; returns once the membership is committed. */
    public void addRaftMember(String nodeId, String raftAddress, String clusterAddress)
            throws IOException, InterruptedException {
        read(
                send(
                        "POST",
                        "/raft/members",
                        new ClusterWire.RaftMember(nodeId, raftAddress, clusterAddress),
                        Duration.ofSeconds(60)),
                Void.class);
    }

    public <T> T get(String path, Class<T> type, Duration timeout) throws IOException, InterruptedException {
        return read(send("GET", path, null, timeout), type);
    }

    public <T> T post(String path, Object body, Class<T> type) throws IOException, InterruptedException {
        return read(send("POST", path, body, CALL_TIMEOUT), type);
    }

    public void delete(String path, Duration timeout) throws IOException, InterruptedException {
        send("DELETE", path, null, timeout);
    }

    private static <T> T read(byte[] body, Class<T> type) throws IOException {
        if (type == Void.class) {
            return null;
        }
        return Json.MAPPER.readValue(body, type);
    }

    /**
     * Sends to the current manager, then to each other one while the managers cannot be reached; a manager that
     * does not lead answers 421 with the leader's address, which is tried next and kept.
     */
    private byte[] send(String method, String path, Object body, Duration timeout)
            throws IOException, InterruptedException {
        IOException last = null;
        List<String> managers = this.managers;
        int start = current;
        int redirects = 0;
        for (int i = 0; i < managers.size(); i++) {
            int index = (start + i) % managers.size();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://" + managers.get(index) + path))
                    .timeout(timeout)
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                last = new IOException("cannot reach manager " + managers.get(index) + ": " + describe(e), e);
                continue;
            }
            current = index;
            String leader =
                    response.headers().firstValue(ClusterRoutes.LEADER_HEADER).orElse(null);
            if (response.statusCode() == 421 && leader != null && redirects++ < 2) {
                List<String> next = new java.util.ArrayList<>(managers);
                next.remove(leader);
                next.add(0, leader);
                this.managers = managers = List.copyOf(next);
                current = start = 0;
                i = -1; // from the leader on
                continue;
            }
            if (response.statusCode() >= 300) {
                throw new CallFailed(response.statusCode(), message(response.body()));
            }
            return response.body();
        }
        throw last;
    }

    /** The manager's error message (the API's {@code {"message": ...}}), or the body as text. */
    private static String message(byte[] body) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            return n.path("message").asText(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** An I/O failure in a few words: the JDK's messages are often empty (a refused connection says nothing). */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null || root.getMessage().isBlank()
                ? root.getClass().getSimpleName()
                : root.getMessage();
        return root instanceof java.net.ConnectException
                        && (root.getMessage() == null || root.getMessage().isBlank())
                ? "connection refused"
                : text;
    }

    @Override
    public void close() {
        http.shutdownNow();
    }
}
