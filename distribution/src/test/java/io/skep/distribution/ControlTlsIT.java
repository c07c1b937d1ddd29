package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The image's control API over TCP as an operator sets it up with Docker's TLS recipe ({@code openssl}, as
 * docs.docker.com/engine/security/protect-access/ has it): the daemon refuses TCP beyond loopback without mutual
 * TLS, and with it the unmodified docker CLI ({@code --tlsverify}, or {@code DOCKER_TLS_VERIFY} and
 * {@code DOCKER_CERT_PATH}) and skep's own drive it, while clients without a certificate of the CA get nothing.
 */
class ControlTlsIT extends ImageTest {

    @AfterEach
    void stopSkep() {
        if (daemon != null) {
            daemon.stop(Duration.ofSeconds(10));
        }
    }

    @Test
    void withoutMutualTlsTheDaemonDoesNotListenBeyondLoopback() {
        int port = freePort();
        SkepImage.Result refused =
                image.run(env(), "daemon", "--data-dir", dir.resolve("data").toString(), "-H", "tcp://0.0.0.0:" + port);
        assertEquals(1, refused.exitCode(), refused::describe);
        assertTrue(
                refused.stderr()
                        .startsWith(
                                "skep daemon: failed to start: -H tcp://0.0.0.0:" + port + ": a TCP "
                                        + "listener beyond loopback needs mutual TLS (--tlsverify --tlscacert CA --tlscert CERT --tlskey KEY)"),
                refused::describe);
    }

    @Test
    void theDockerCliWithTlsverifyDrivesSkepAndNobodyElseGetsIn() {
        TestEngine.requireCli();
        boolean openssl = Files.isExecutable(Path.of("/usr/bin/openssl"));
        if ("1".equals(System.getenv("SKEP_REQUIRE_DOCKER"))) {
            assertTrue(openssl, "SKEP_REQUIRE_DOCKER=1 but there is no openssl for Docker's TLS recipe");
        }
        assumeTrue(openssl, "no openssl on this machine");
        Path pki = dockerTlsRecipe();
        int port = freePort();
        String tcp = "tcp://127.0.0.1:" + port;
        daemon = image.startDaemon(
                env(),
                dir.resolve("logs"),
                daemonFlags(
                        "-H",
                        "tcp://0.0.0.0:" + port,
                        "--tlsverify",
                        "--tlscacert",
                        pki.resolve("ca.pem").toString(),
                        "--tlscert",
                        pki.resolve("server-cert.pem").toString(),
                        "--tlskey",
                        pki.resolve("server-key.pem").toString()));
        List<String> tls = List.of(
                "--tlsverify",
                "--tlscacert",
                pki.resolve("ca.pem").toString(),
                "--tlscert",
                pki.resolve("cert.pem").toString(),
                "--tlskey",
                pki.resolve("key.pem").toString(),
                "-H",
                tcp);
        // On the TLS port itself: the daemon opens its unix socket before its TCP listeners.
        await("the daemon to answer over TLS", () -> docker(tls, "version").exitCode() == 0);
        assertTrue(dockerOk(tls, "swarm", "init", "--listen-addr", "127.0.0.1:" + freePort())
                .contains("Swarm initialized"));
        String nodes = dockerOk(tls, "node", "ls");
        assertTrue(nodes.lines().anyMatch(l -> l.contains("Ready") && l.contains("Leader")), nodes);
        dockerOk(
                tls,
                "service",
                "create",
                "-d",
                "--no-resolve-image",
                "--name",
                "once",
                "--restart-condition",
                "none",
                "host",
                "true");
        assertTrue(dockerOk(tls, "service", "ls").lines().anyMatch(l -> l.contains("once")));

        // Docker's own variables, and its cert path layout.
        Path certPath = pki.resolve("client");
        TestEngine.Run fromVariables = TestEngine.docker(
                Map.of(
                        "HOME",
                        dir.toString(),
                        "DOCKER_HOST",
                        tcp,
                        "DOCKER_TLS_VERIFY",
                        "1",
                        "DOCKER_CERT_PATH",
                        certPath.toString()),
                "service",
                "ls",
                "-q");
        assertEquals(0, fromVariables.exitCode(), fromVariables::describe);

        // skep's CLI the same way, with an EC key as openssl ecparam writes it.
        Map<String, String> skepEnv = new HashMap<>(cliEnv(dir, tcp));
        skepEnv.putAll(Map.of(
                "SKEP_TLS_VERIFY",
                "1",
                "SKEP_CERT_PATH",
                pki.resolve("ec-client").toString()));
        SkepImage.Result skep = image.run(skepEnv, "service", "ls");
        assertEquals(0, skep.exitCode(), skep::describe);
        assertTrue(skep.stdout().contains("once"), skep::describe);

        TestEngine.Run noCertificate = docker(
                List.of("--tlsverify", "--tlscacert", pki.resolve("ca.pem").toString(), "-H", tcp), "node", "ls");
        assertEquals(1, noCertificate.exitCode());
        assertTrue(noCertificate.stderr().contains("tls: certificate required"), noCertificate::describe);
        TestEngine.Run plaintext = docker(List.of("-H", tcp), "node", "ls");
        assertEquals(1, plaintext.exitCode());
        assertTrue(plaintext.stderr().contains("Client sent an HTTP request to an HTTPS server."), plaintext::describe);
        TestEngine.Run wrongCa = docker(
                List.of(
                        "--tlsverify",
                        "--tlscacert",
                        pki.resolve("other-ca.pem").toString(),
                        "--tlscert",
                        pki.resolve("cert.pem").toString(),
                        "--tlskey",
                        pki.resolve("key.pem").toString(),
                        "-H",
                        tcp),
                "node",
                "ls");
        assertEquals(1, wrongCa.exitCode());
        assertTrue(wrongCa.stderr().contains("x509"), wrongCa::describe);
        assertEquals("once", dockerOk(tls, "service", "rm", "once").strip());
    }

    @Test
    void theDockerCliOnPlaintextLoopbackPassesTheBrowserGuard() {
        TestEngine.requireCli();
        int port = freePort();
        daemon = image.startDaemon(env(), dir.resolve("logs"), daemonFlags("-H", "tcp://127.0.0.1:" + port));
        // On the TCP port itself: the daemon opens its unix socket before its TCP listeners.
        await(
                "the daemon to answer on tcp",
                () -> docker(List.of("-H", "tcp://127.0.0.1:" + port), "version")
                                .exitCode()
                        == 0);
        for (String tcp : List.of("tcp://127.0.0.1:" + port, "tcp://localhost:" + port)) {
            TestEngine.Run info = docker(List.of("-H", tcp), "info");
            assertEquals(0, info.exitCode(), info::describe);
            assertTrue(info.stdout().contains("Swarm: inactive"), info::describe);
        }
    }

    /** The docker CLI with {@code global} flags before the command; HOME of the test's own (no ~/.docker). */
    private TestEngine.Run docker(List<String> global, String... command) {
        List<String> args = new ArrayList<>(global);
        args.addAll(List.of(command));
        return TestEngine.docker(Map.of("HOME", dir.toString()), args.toArray(String[]::new));
    }

    /** The same, for a command that must succeed: its output. */
    private String dockerOk(List<String> global, String... command) {
        TestEngine.Run r = docker(global, command);
        assertEquals(
                0,
                r.exitCode(),
                () -> "docker " + String.join(" ", global) + " " + String.join(" ", command) + "\n" + r.describe()
                        + "\n" + daemon.describeOutput());
        return r.stdout();
    }

    /**
     * Docker's recipe for a CA, a server certificate for 127.0.0.1 and a client certificate (RSA keys; 2048 bits
     * rather than the recipe's 4096, for speed), and a client with an EC key. Returns the folder: {@code ca.pem},
     * {@code server-cert.pem}, {@code server-key.pem}, {@code cert.pem}, {@code key.pem}, {@code other-ca.pem} (a
     * CA of nobody's), and cert paths
     * {@code client/} and {@code ec-client/} holding {@code ca.pem}, {@code cert.pem}, {@code key.pem}.
     */
    private Path dockerTlsRecipe() {
        Path pki = dir.resolve("pki");
        try {
            Files.createDirectories(pki);
            Files.writeString(
                    pki.resolve("extfile.cnf"),
                    "subjectAltName = DNS:localhost,IP:127.0.0.1\nextendedKeyUsage = serverAuth\n");
            Files.writeString(pki.resolve("extfile-client.cnf"), "extendedKeyUsage = clientAuth\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(pki, "genrsa", "-aes256", "-passout", "pass:recipe", "-out", "ca-key.pem", "2048");
        openssl(
                pki,
                "req",
                "-new",
                "-x509",
                "-days",
                "365",
                "-key",
                "ca-key.pem",
                "-passin",
                "pass:recipe",
                "-sha256",
                "-subj",
                "/CN=skep test CA",
                "-out",
                "ca.pem");
        openssl(pki, "genrsa", "-out", "server-key.pem", "2048");
        openssl(
                pki,
                "req",
                "-subj",
                "/CN=localhost",
                "-sha256",
                "-new",
                "-key",
                "server-key.pem",
                "-out",
                "server.csr");
        openssl(
                pki,
                "x509",
                "-req",
                "-days",
                "365",
                "-sha256",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-passin",
                "pass:recipe",
                "-CAcreateserial",
                "-out",
                "server-cert.pem",
                "-extfile",
                "extfile.cnf");
        openssl(pki, "genrsa", "-out", "key.pem", "2048");
        openssl(pki, "req", "-subj", "/CN=client", "-new", "-key", "key.pem", "-out", "client.csr");
        openssl(
                pki,
                "x509",
                "-req",
                "-days",
                "365",
                "-sha256",
                "-in",
                "client.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-passin",
                "pass:recipe",
                "-CAcreateserial",
                "-out",
                "cert.pem",
                "-extfile",
                "extfile-client.cnf");
        openssl(pki, "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec-key.pem");
        openssl(pki, "req", "-subj", "/CN=ec-client", "-new", "-key", "ec-key.pem", "-out", "ec-client.csr");
        openssl(
                pki,
                "x509",
                "-req",
                "-days",
                "365",
                "-sha256",
                "-in",
                "ec-client.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-passin",
                "pass:recipe",
                "-CAcreateserial",
                "-out",
                "ec-cert.pem",
                "-extfile",
                "extfile-client.cnf");
        openssl(
                pki,
                "req",
                "-new",
                "-x509",
                "-days",
                "1",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "other-ca-key.pem",
                "-sha256",
                "-subj",
                "/CN=another CA",
                "-out",
                "other-ca.pem");
        certPath(pki, "client", "cert.pem", "key.pem");
        certPath(pki, "ec-client", "ec-cert.pem", "ec-key.pem");
        return pki;
    }

    private static void certPath(Path pki, String folder, String cert, String key) {
        try {
            Path path = Files.createDirectories(pki.resolve(folder));
            Files.copy(pki.resolve("ca.pem"), path.resolve("ca.pem"));
            Files.copy(pki.resolve(cert), path.resolve("cert.pem"));
            Files.copy(pki.resolve(key), path.resolve("key.pem"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Path log = Files.createTempFile("openssl", ".log");
            try {
                Process p = new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "openssl " + String.join(" ", args) + " finished");
                assertEquals(0, p.exitValue(), () -> String.join(" ", command) + "\n" + read(log));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
