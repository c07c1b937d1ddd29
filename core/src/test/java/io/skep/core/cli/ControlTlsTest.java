package io.skep.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.JdkSslContext;
import io.skep.client.ControlTls;
import io.skep.core.api.ControlAccess;
import io.skep.core.node.DaemonConfig;
import io.skep.core.testing.TestCertificates;
import io.skep.core.testing.TestCertificates.KeyFormat;
import io.skep.core.testing.TestCertificates.KeyType;
import io.skep.core.testing.TestCertificates.Pair;
import io.skep.core.testing.TestDaemon;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control API over TCP as dockerd serves it: beyond loopback only with mutual TLS, and skep's CLI speaking TLS
 * with docker's flags and variables (under skep's names). Real daemons, real handshakes, the CLI in-process.
 */
class ControlTlsTest {
    @TempDir
    Path dir;

    private TestDaemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** A CLI run with a home folder of the test's own (no ~/.skep of this machine's) and these variables. */
    private Skep.Result skep(Map<String, String> env, String... args) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("HOME", dir.resolve("home").toString());
        return Skep.run(daemon.host(), all, args);
    }

    private static String[] tlsVerify(Path ca, Pair client, String... command) {
        List<String> args = new ArrayList<>(List.of("--tlsverify", "--tlscacert", ca.toString()));
        if (client != null) {
            args.addAll(List.of(
                    "--tlscert",
                    client.cert().toString(),
                    "--tlskey",
                    client.key().toString()));
        }
        args.addAll(List.of(command));
        return args.toArray(String[]::new);
    }

    @Test
    void aDaemonWithTlsverifyServesOnlyClientsWithACertificateOfItsCa() throws Exception {
        TestCertificates ops = TestCertificates.ca(dir.resolve("pki"), "ops", KeyType.EC);
        TestCertificates other = TestCertificates.ca(dir.resolve("pki"), "other", KeyType.EC);
        Pair server = ops.server("daemon", KeyType.RSA, KeyFormat.TRADITIONAL);
        Pair client = ops.client("admin", KeyType.EC, KeyFormat.TRADITIONAL);
        // On every address, as an operator would listen; reached on loopback only.
        daemon = new TestDaemon(
                dir.resolve("node"),
                "0.0.0.0",
                new ControlAccess(new ControlTls(true, ops.caCert(), server.cert(), server.key()), null));

        Skep.Result init = skep(Map.of(), tlsVerify(ops.caCert(), client, "swarm", "init"));
        assertEquals(0, init.code(), init.err());
        Skep.Result nodes = skep(Map.of(), tlsVerify(ops.caCert(), client, "node", "ls"));
        assertEquals(0, nodes.code(), nodes.err());
        assertTrue(nodes.out().contains("Leader"), nodes.out());
        Skep.Result create = skep(
                Map.of(),
                tlsVerify(
                        ops.caCert(),
                        client,
                        "service",
                        "create",
                        "-d",
                        "--name",
                        "idle",
                        "--replicas",
                        "0",
                        "host",
                        "true"));
        assertEquals(0, create.code(), create.err());
        assertTrue(skep(Map.of(), tlsVerify(ops.caCert(), client, "service", "ls"))
                .out()
                .contains("idle"));

        Skep.Result noCertificate = skep(Map.of(), tlsVerify(ops.caCert(), null, "node", "ls"));
        assertEquals(1, noCertificate.code());
        assertEquals(
                "error during connect: TLS with the skep daemon at " + daemon.host() + " failed: it requires a "
                        + "client certificate (remote error: certificate required); give --tlscert and --tlskey, or put "
                        + "cert.pem and key.pem in $SKEP_CERT_PATH\n",
                noCertificate.err());
        Skep.Result otherCa = skep(
                Map.of(), tlsVerify(ops.caCert(), other.client("admin", KeyType.EC, KeyFormat.PKCS8), "node", "ls"));
        assertEquals(1, otherCa.code());
        assertTrue(otherCa.err().contains("it refused this client's certificate"), otherCa.err());
        Skep.Result expired = skep(Map.of(), tlsVerify(ops.caCert(), ops.expiredClient("late"), "node", "ls"));
        assertEquals(1, expired.code());
        assertTrue(expired.err().contains("it refused this client's certificate"), expired.err());
        Skep.Result plaintext = skep(Map.of(), "node", "ls");
        assertEquals(1, plaintext.code());
        assertEquals("Error response from daemon: Client sent an HTTP request to an HTTPS server.\n", plaintext.err());
        Skep.Result untrusted = skep(Map.of(), tlsVerify(other.caCert(), client, "node", "ls"));
        assertEquals(1, untrusted.code());
        assertTrue(untrusted.err().contains("its certificate is not signed by the CA of --tlscacert"), untrusted.err());
        assertTrue(
                noCertificate.err().lines().count() == 1 && !untrusted.err().contains("Exception"),
                "one sentence, no stack trace");

        // Below the CLI: a plaintext request gets Go's 400 and nothing else; TLS without a certificate, nothing.
        assertEquals(
                "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n",
                exchange(new Socket(InetAddress.getLoopbackAddress(), daemon.port())));
        SSLContext anonymous = ((JdkSslContext) new ControlTls(true, ops.caCert(), null, null).client()).context();
        assertGetsNothing(tlsSocket(anonymous, "TLSv1.3"));
        assertGetsNothing(tlsSocket(anonymous, "TLSv1.2"));
        // TLS 1.2 is enough (Docker's minimum).
        SSLContext admin =
                ((JdkSslContext) new ControlTls(true, ops.caCert(), client.cert(), client.key()).client()).context();
        assertTrue(exchange(tlsSocket(admin, "TLSv1.2")).startsWith("HTTP/1.1 200 OK"));
    }

    /** The connection ends (an alert, a reset, or a close) before any HTTP comes back. */
    private static void assertGetsNothing(Socket socket) {
        try {
            assertEquals("", exchange(socket));
        } catch (IOException refused) {
            // the handshake failed, or the server closed the connection on the request
        }
    }

    @Test
    void theCliFindsItsFilesAsTheDockerCliDoesUnderSkepsNames() throws Exception {
        TestCertificates ops = TestCertificates.ca(dir.resolve("pki"), "ops", KeyType.RSA);
        Pair server = ops.server("daemon", KeyType.EC, KeyFormat.PKCS8);
        daemon = new TestDaemon(
                dir.resolve("node"),
                "127.0.0.1",
                new ControlAccess(new ControlTls(true, ops.caCert(), server.cert(), server.key()), null));
        Path certPath = ops.clientCertPath("certs");

        Skep.Result fromVariables =
                skep(Map.of("SKEP_TLS_VERIFY", "1", "SKEP_CERT_PATH", certPath.toString()), "version");
        assertEquals(0, fromVariables.code(), fromVariables.err());
        assertTrue(fromVariables.out().contains("Server:"), fromVariables.out());

        Path home = dir.resolve("home");
        Files.createDirectories(home);
        Files.move(ops.clientCertPath("dot-skep"), home.resolve(".skep"));
        Skep.Result fromHome = skep(Map.of("HOME", home.toString()), "--tlsverify", "version");
        assertEquals(0, fromHome.code(), fromHome.err());

        // A flag wins over the cert path: another CA's certificate is refused.
        Pair stranger =
                TestCertificates.ca(dir.resolve("pki"), "other", KeyType.EC).client("x", KeyType.EC, KeyFormat.PKCS8);
        Skep.Result flagWins = skep(
                Map.of("SKEP_TLS_VERIFY", "1", "SKEP_CERT_PATH", certPath.toString()),
                "--tlscert",
                stranger.cert().toString(),
                "--tlskey",
                stranger.key().toString(),
                "version");
        assertEquals(1, flagWins.code());
        assertTrue(flagWins.err().contains("refused this client's certificate"), flagWins.err());

        // An empty SKEP_TLS_VERIFY is unset, as docker reads DOCKER_TLS_VERIFY.
        Skep.Result empty = skep(Map.of("SKEP_TLS_VERIFY", "", "SKEP_CERT_PATH", certPath.toString()), "version");
        assertTrue(empty.err().contains("Client sent an HTTP request to an HTTPS server."), empty.err());

        Skep.Result noCa = skep(Map.of("SKEP_CERT_PATH", dir.resolve("nothing").toString()), "--tlsverify", "version");
        assertEquals(1, noCa.code());
        assertEquals(
                "could not read CA certificate \"" + dir.resolve("nothing/ca.pem") + "\": no such file\n", noCa.err());
    }

    @Test
    void theCliSaysWhyItDoesNotTrustTheDaemon() throws Exception {
        TestCertificates ops = TestCertificates.ca(dir.resolve("pki"), "ops", KeyType.EC);
        Pair server = ops.server("daemon", KeyType.EC, KeyFormat.PKCS8);
        Pair client = ops.client("admin", KeyType.EC, KeyFormat.PKCS8);
        daemon = new TestDaemon(
                dir.resolve("node"),
                "0.0.0.0",
                new ControlAccess(new ControlTls(true, ops.caCert(), server.cert(), server.key()), null));
        // 127.0.0.2 is this machine too, but not a name of the daemon's certificate.
        Skep.Result otherName = Skep.run(
                "tcp://127.0.0.2:" + daemon.port(),
                Map.of("HOME", dir.toString()),
                tlsVerify(ops.caCert(), client, "version"));
        assertEquals(1, otherName.code());
        assertEquals(
                "error during connect: TLS with the skep daemon at tcp://127.0.0.2:" + daemon.port() + " failed: "
                        + "its certificate is not valid for the host dialled (No subject alternative names matching IP "
                        + "address 127.0.0.2 found)\n",
                otherName.err());
        daemon.close();

        Pair expired = ops.expiredServer("old-daemon");
        daemon = new TestDaemon(
                dir.resolve("node"),
                "127.0.0.1",
                new ControlAccess(new ControlTls(true, ops.caCert(), expired.cert(), expired.key()), null));
        Skep.Result outOfDate = skep(Map.of(), tlsVerify(ops.caCert(), client, "version"));
        assertEquals(1, outOfDate.code());
        assertTrue(
                outOfDate
                        .err()
                        .startsWith("error during connect: TLS with the skep daemon at " + daemon.host()
                                + " failed: its certificate is not valid now (NotAfter: "),
                outOfDate.err());
    }

    @Test
    void tlsAloneEncryptsOnLoopbackAndAuthenticatesNobody() throws Exception {
        TestCertificates ops = TestCertificates.ca(dir.resolve("pki"), "ops", KeyType.EC);
        Pair server = ops.server("daemon", KeyType.EC, KeyFormat.TRADITIONAL);
        ControlTls tlsOnly = new ControlTls(false, null, server.cert(), server.key());
        daemon = new TestDaemon(dir.resolve("node"), "127.0.0.1", new ControlAccess(tlsOnly, null));

        Skep.Result anyServer = skep(Map.of(), "--tls", "version");
        assertEquals(0, anyServer.code(), anyServer.err());
        Skep.Result verified =
                skep(Map.of(), "--tlsverify", "--tlscacert", ops.caCert().toString(), "version");
        assertEquals(
                0, verified.code(), "the client verifies the server, which asks for no certificate: " + verified.err());

        IllegalArgumentException beyondLoopback = assertThrows(
                IllegalArgumentException.class,
                () -> config("tcp://0.0.0.0:" + freePort(), new ControlAccess(tlsOnly, null)));
        assertTrue(
                beyondLoopback.getMessage().contains("--tls alone authenticates nobody"), beyondLoopback.getMessage());
    }

    @Test
    void aTcpHostBeyondLoopbackWithoutMutualTlsRefusesToStart() throws Exception {
        int port = freePort();
        String host = "tcp://0.0.0.0:" + port;
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> config(host, ControlAccess.DEFAULT));
        assertEquals(
                "-H " + host + ": a TCP listener beyond loopback needs mutual TLS (--tlsverify --tlscacert CA "
                        + "--tlscert CERT --tlskey KEY): without it, anyone who reaches the port controls the swarm, and "
                        + "root on every node through its services. Add those flags, or listen on loopback "
                        + "(tcp://127.0.0.1:PORT) or a unix socket",
                refused.getMessage());

        Skep.Result run = assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> Skep.run(
                        "unix:///nowhere",
                        Map.of("HOME", dir.toString()),
                        "daemon",
                        "--data-dir",
                        dir.resolve("node").toString(),
                        "-H",
                        host));
        assertEquals(1, run.code());
        assertEquals("skep daemon: failed to start: " + refused.getMessage() + "\n", run.err());
        assertThrows(
                ConnectException.class,
                () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "nothing listens");
        assertTrue(Files.notExists(dir.resolve("node")), "refused before anything started");
    }

    private DaemonConfig config(String host, ControlAccess access) {
        return new DaemonConfig(
                dir.resolve("node"), List.of(URI.create(host)), null, 0, "127.0.0.1:0", null, Map.of(), access);
    }

    private Socket tlsSocket(SSLContext context, String protocol) throws IOException {
        SSLSocket socket =
                (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), daemon.port());
        socket.setEnabledProtocols(new String[] {protocol});
        return socket;
    }

    /** Sends {@code GET /_ping} and returns all the other end sends until it closes. */
    private static String exchange(Socket socket) throws IOException {
        try (socket) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET /_ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
