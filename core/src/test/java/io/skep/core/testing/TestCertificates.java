package io.skep.core.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A certificate authority of an operator, and certificates it signs, written as PEM files in the shapes
 * {@code openssl} and Docker's TLS recipe leave them: a server certificate for {@code 127.0.0.1} and
 * {@code localhost} (extendedKeyUsage serverAuth), client certificates (clientAuth), RSA or EC keys as PKCS#8 or in
 * the traditional forms (PKCS#1, SEC 1 after an EC PARAMETERS block).
 */
public final class TestCertificates {
    /** A key's algorithm. */
    public enum KeyType {
        RSA,
        EC
    }

    /** How a key file is written: {@code PRIVATE KEY}, or {@code RSA PRIVATE KEY} / {@code EC PRIVATE KEY}. */
    public enum KeyFormat {
        PKCS8,
        TRADITIONAL
    }

    /** A certificate and its key, as files. */
    public record Pair(Path cert, Path key) {}

    /** {@code openssl ecparam -name prime256v1 -genkey} writes this block before the key. */
    private static final String EC_PARAMETERS = """
            -----BEGIN EC PARAMETERS-----
            BggqhkjOPQMBBw==
            -----END EC PARAMETERS-----
            """;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final Path caFile;

    private TestCertificates(Path dir, String name, KeyType type) {
        this.dir = dir;
        this.name = name;
        this.caKeys = keyPair(type);
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=" + name);
        this.caCert = sign(
                new JcaX509v3CertificateBuilder(
                        subject,
                        serial(),
                        Date.from(now.minusSeconds(3600)),
                        Date.from(now.plus(Duration.ofDays(365))),
                        subject,
                        caKeys.getPublic()),
                caKeys,
                ext -> {
                    ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                    ext.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                });
        this.caFile = write(name + "-ca.pem", pem(caCert));
    }

    /** A new CA called {@code name}, its files in {@code dir}. */
    public static TestCertificates ca(Path dir, String name, KeyType type) {
        return new TestCertificates(dir, name, type);
    }

    /** The CA's certificate, {@code <name>-ca.pem}. */
    public Path caCert() {
        return caFile;
    }

    /** A server certificate for 127.0.0.1, ::1 and localhost, valid now. */
    public Pair server(String cn, KeyType type, KeyFormat format) {
        return issue(
                cn, type, format, KeyPurposeId.id_kp_serverAuth, Instant.now().plus(Duration.ofDays(30)));
    }

    /** A client certificate, valid now. */
    public Pair client(String cn, KeyType type, KeyFormat format) {
        return issue(
                cn, type, format, KeyPurposeId.id_kp_clientAuth, Instant.now().plus(Duration.ofDays(30)));
    }

    /** A client certificate that expired a minute ago. */
    public Pair expiredClient(String cn) {
        return issue(
                cn,
                KeyType.EC,
                KeyFormat.PKCS8,
                KeyPurposeId.id_kp_clientAuth,
                Instant.now().minusSeconds(60));
    }

    /** A server certificate (for 127.0.0.1, ::1 and localhost) that expired a minute ago. */
    public Pair expiredServer(String cn) {
        return issue(
                cn,
                KeyType.EC,
                KeyFormat.PKCS8,
                KeyPurposeId.id_kp_serverAuth,
                Instant.now().minusSeconds(60));
    }

    /**
     * A folder as the docker CLI's cert path holds it ({@code ca.pem}, {@code cert.pem}, {@code key.pem}): this CA
     * and a client certificate of it.
     */
    public Path clientCertPath(String folder) {
        Pair client = client("client-" + folder, KeyType.EC, KeyFormat.PKCS8);
        Path path = dir.resolve(folder);
        try {
            Files.createDirectories(path);
            Files.copy(caFile, path.resolve("ca.pem"));
            Files.copy(client.cert(), path.resolve("cert.pem"));
            Files.copy(client.key(), path.resolve("key.pem"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }

    private Pair issue(String cn, KeyType type, KeyFormat format, KeyPurposeId purpose, Instant notAfter) {
        KeyPair keys = keyPair(type);
        Instant notBefore = notAfter.minus(Duration.ofDays(31));
        X509Certificate cert = sign(
                new JcaX509v3CertificateBuilder(
                        caCert,
                        serial(),
                        Date.from(notBefore),
                        Date.from(notAfter),
                        new X500Name("CN=" + cn),
                        keys.getPublic()),
                caKeys,
                ext -> {
                    ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    ext.addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                    ext.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                    if (purpose.equals(KeyPurposeId.id_kp_serverAuth)) {
                        ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.iPAddress, "::1"),
                            new GeneralName(GeneralName.dNSName, "localhost")
                        }));
                    }
                });
        String prefix = name + "-" + cn;
        String keyPem = format == KeyFormat.PKCS8
                ? pkcs8(keys)
                : type == KeyType.EC ? EC_PARAMETERS + sec1(keys) : pem(keys.getPrivate());
        return new Pair(write(prefix + "-cert.pem", pem(cert)), write(prefix + "-key.pem", keyPem));
    }

    @FunctionalInterface
    private interface Extensions {
        void add(X509v3CertificateBuilder builder) throws IOException;
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer, Extensions extensions) {
        try {
            extensions.add(builder);
            String algorithm = issuer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(issuer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test certificate: " + e, e);
        }
    }

    private static KeyPair keyPair(KeyType type) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type.name());
            if (type == KeyType.EC) {
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            } else {
                generator.initialize(2048, RANDOM);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM);
    }

    /** A certificate, or a key in its traditional form (JcaPEMWriter writes RSA and EC keys so). */
    private static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** An EC key as {@code openssl ec} writes it: SEC 1 with its curve and public key (Bouncy Castle's has neither). */
    private static String sec1(KeyPair keys) {
        SubjectPublicKeyInfo info =
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        ECPrivateKey key = new ECPrivateKey(
                256,
                ((java.security.interfaces.ECPrivateKey) keys.getPrivate()).getS(),
                info.getPublicKeyData(),
                info.getAlgorithm().getParameters());
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject("EC PRIVATE KEY", key.getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static String pkcs8(KeyPair keys) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private Path write(String file, String text) {
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve(file), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
