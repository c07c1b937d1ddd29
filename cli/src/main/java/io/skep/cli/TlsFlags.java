package io.skep.cli;

import io.skep.client.ControlTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The TLS flags of the docker CLI and of dockerd, for skep's CLI (before the command) and for {@code skep daemon},
 * with Docker's meaning: {@code --tlsverify} is mutual TLS, {@code --tls} alone encryption without verification,
 * and {@code --tlsverify} given at all (even {@code =false}) turns TLS on. The defaults come from the environment as
 * the docker CLI's do, under skep's names, as {@code SKEP_HOST} stands for {@code DOCKER_HOST}: a shell set up for
 * a Docker engine then never hands its TLS settings to skep. {@value #TLS_VERIFY_ENV} or {@value #TLS_ENV} set to
 * anything but the empty string turn TLS on; the files are in {@value #CERT_PATH_ENV}, else {@code ~/.skep}.
 */
public final class TlsFlags {
    static final String TLS_ENV = "SKEP_TLS";
    static final String TLS_VERIFY_ENV = "SKEP_TLS_VERIFY";
    static final String CERT_PATH_ENV = "SKEP_CERT_PATH";
    /** Under the home folder, where the files are when {@value #CERT_PATH_ENV} names no folder (docker: .docker). */
    static final String DEFAULT_CERT_DIR = ".skep";

    @Option(
            names = "--tls",
            arity = "0..1",
            description = "Use TLS; implied by --tlsverify (default: $" + TLS_ENV + " set)")
    Boolean tls;

    @Option(
            names = "--tlsverify",
            arity = "0..1",
            description = "Use TLS and verify the remote (default: $" + TLS_VERIFY_ENV + " set)")
    Boolean tlsVerify;

    @Option(
            names = "--tlscacert",
            paramLabel = "FILE",
            description =
                    "Trust certs signed only by this CA (default: $" + CERT_PATH_ENV + "/ca.pem, else ~/.skep/ca.pem)")
    Path caCert;

    @Option(
            names = "--tlscert",
            paramLabel = "FILE",
            description =
                    "Path to TLS certificate file (default: $" + CERT_PATH_ENV + "/cert.pem, else ~/.skep/cert.pem)")
    Path cert;

    @Option(
            names = "--tlskey",
            paramLabel = "FILE",
            description = "Path to TLS key file (default: $" + CERT_PATH_ENV + "/key.pem, else ~/.skep/key.pem)")
    Path key;

    /**
     * A client's TLS, or null for plaintext. Without {@code --tlscert}/{@code --tlskey}, the client shows the
     * cert path's cert.pem and key.pem where they exist, and no certificate otherwise (the docker CLI's rule).
     */
    ControlTls client(Map<String, String> env) {
        if (!enabled(env)) {
            return null;
        }
        Path dir = certPath(env);
        Path certFile = cert != null ? cert : existing(dir.resolve("cert.pem"));
        Path keyFile = key != null ? key : existing(dir.resolve("key.pem"));
        return new ControlTls(verify(env), caFile(dir), certFile, keyFile);
    }

    /** A daemon's TLS, or null for plaintext: it always shows a certificate, the cert path's unless named. */
    public ControlTls server(Map<String, String> env) {
        if (!enabled(env)) {
            return null;
        }
        Path dir = certPath(env);
        return new ControlTls(
                verify(env),
                caFile(dir),
                cert != null ? cert : dir.resolve("cert.pem"),
                key != null ? key : dir.resolve("key.pem"));
    }

    private boolean enabled(Map<String, String> env) {
        boolean tlsDefault = !env.getOrDefault(TLS_ENV, "").isEmpty();
        return (tls != null ? tls : tlsDefault) || tlsVerify != null || verify(env);
    }

    private boolean verify(Map<String, String> env) {
        return tlsVerify != null
                ? tlsVerify
                : !env.getOrDefault(TLS_VERIFY_ENV, "").isEmpty();
    }

    private Path caFile(Path dir) {
        return caCert != null ? caCert : dir.resolve("ca.pem");
    }

    private static Path existing(Path file) {
        return Files.exists(file) ? file : null;
    }

    /** {@value #CERT_PATH_ENV}, else {@code ~/.skep} ({@code $HOME}, as the docker CLI reads it). */
    static Path certPath(Map<String, String> env) {
        String dir = env.get(CERT_PATH_ENV);
        if (dir != null && !dir.isEmpty()) {
            return Path.of(dir);
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, DEFAULT_CERT_DIR);
    }
}
