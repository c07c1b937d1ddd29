package io.skep.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client reads the PEM files {@code openssl} writes, with the JDK alone: keys as PKCS#8, PKCS#1 (RSA) and SEC 1
 * (EC, after its EC PARAMETERS block), each proven to be the certificate's key by a signature the certificate checks.
 */
class PemReaderTest {
    @TempDir
    Path dir;

    private void openssl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), () -> String.join(" ", command) + ": " + out);
    }

    /** Reads {@code key}, checks it signs what {@code cert}'s public key verifies; returns its algorithm. */
    private String readAndMatch(String key, String cert) throws Exception {
        openssl("req", "-x509", "-new", "-key", key, "-subj", "/CN=pem-test", "-days", "1", "-out", cert);
        PrivateKey privateKey = PemReader.privateKey(dir.resolve(key), "TLS key");
        X509Certificate certificate =
                PemReader.certificates(dir.resolve(cert), "TLS certificate").getFirst();
        String algorithm = privateKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(privateKey);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(signature), key + " is not the key of " + cert);
        return privateKey.getAlgorithm();
    }

    @Test
    void readsTheKeyFormsOpensslWrites() throws Exception {
        openssl("genrsa", "-out", "pkcs8.pem", "2048");
        openssl("genrsa", "-traditional", "-out", "pkcs1.pem", "2048");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "sec1.pem");
        assertTrue(Files.readString(dir.resolve("pkcs1.pem")).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertTrue(Files.readString(dir.resolve("sec1.pem")).startsWith("-----BEGIN EC PARAMETERS-----"));

        assertEquals("RSA", readAndMatch("pkcs8.pem", "a.pem"));
        assertEquals("RSA", readAndMatch("pkcs1.pem", "b.pem"));
        assertEquals("EC", readAndMatch("sec1.pem", "c.pem"));
    }

    @Test
    void refusesWhatItCannotUseNamingTheFile() throws Exception {
        openssl("genrsa", "-aes128", "-passout", "pass:secret", "-out", "encrypted.pem", "2048");
        IllegalArgumentException encrypted = assertThrows(
                IllegalArgumentException.class, () -> PemReader.privateKey(dir.resolve("encrypted.pem"), "TLS key"));
        assertTrue(
                encrypted
                        .getMessage()
                        .startsWith("could not read TLS key \"" + dir.resolve("encrypted.pem")
                                + "\": the key is encrypted with a passphrase"),
                encrypted.getMessage());

        Files.writeString(dir.resolve("empty.pem"), "not a PEM file\n");
        IllegalArgumentException none = assertThrows(
                IllegalArgumentException.class, () -> PemReader.privateKey(dir.resolve("empty.pem"), "TLS key"));
        assertTrue(none.getMessage().endsWith("no PEM private key in it"), none.getMessage());
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> PemReader.certificates(dir.resolve("absent.pem"), "CA certificate"));
        assertTrue(
                missing.getMessage().endsWith("\"" + dir.resolve("absent.pem") + "\": no such file"),
                missing.getMessage());
    }
}
