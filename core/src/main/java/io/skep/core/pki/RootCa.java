package io.skep.core.pki;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The swarm's root certificate authority, made by {@code swarm init}: an ECDSA P-256 key and a self-signed
 * certificate ({@code CN=swarm-ca}, 20 years, as Swarm's). It signs the nodes' certificates; its digest is the
 * middle of every join token, so that a joining node can tell the swarm it reaches is the one the token is for.
 */
public final class RootCa {
    /** Swarm's root CA lifetime. */
    public static final Duration VALIDITY = Duration.ofDays(20 * 365);
    /** Certificates are valid from a little before they are made, for clocks a little behind. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    private static final String SIGNATURE = "SHA256withECDSA";

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final String certificatePem;

    private RootCa(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
        this.certificatePem = Pem.write(certificate);
    }

    /** A new root CA ({@code CN=swarm-ca}, as Swarm names the first root of a swarm). */
    public static RootCa create(SecureRandom random, Instant now) {
        return create(
                random,
                now,
                new X500NameBuilder(BCStyle.INSTANCE)
                        .addRDN(BCStyle.CN, "swarm-ca")
                        .build());
    }

    /**
     * A root to rotate to: named apart from the one it follows ({@code CN=swarm-ca} and a random OU), because a
     * cross-signed root whose subject is its issuer's reads as self-issued, and TLS stacks (Conscrypt) then find no
     * path through it to the old root.
     */
    public static RootCa createNext(SecureRandom random, Instant now) {
        return create(
                random,
                now,
                new X500NameBuilder(BCStyle.INSTANCE)
                        .addRDN(BCStyle.CN, "swarm-ca")
                        .addRDN(BCStyle.OU, base36(new BigInteger(64, random), 13))
                        .build());
    }

    private static RootCa create(SecureRandom random, Instant now, X500Name subject) {
        KeyPair pair = p256(random);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            subject,
                            serial(random),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(now.plus(VALIDITY)),
                            subject,
                            pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            extensions.createSubjectKeyIdentifier(pair.getPublic()));
            return new RootCa(sign(builder, pair.getPrivate()), pair.getPrivate());
        } catch (CertIOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot make the root CA: " + e.getMessage(), e);
        }
    }

    /** The root CA kept in the store. */
    public static RootCa fromPem(String certificatePem, String keyPem) {
        return new RootCa(
                Pem.certificate(certificatePem, "root CA certificate"), Pem.privateKey(keyPem, "root CA key"));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The root CA certificates of a bundle (the roots a node trusts: one, or two during a rotation). */
    public static java.util.List<X509Certificate> certificatesOf(String bundlePem) {
        return Pem.certificates(bundlePem, "root CA certificates");
    }

    /**
     * A root an operator brings ({@code swarm ca --rotate --ca-cert F --ca-key F}): refused, naming the field, unless
     * it is a CA certificate, valid now, of an ECDSA P-256 key (the swarm's key type), and the key is its own.
     */
    public static RootCa provided(String certificatePem, String keyPem, Instant now) {
        X509Certificate cert;
        PrivateKey key;
        try {
            cert = Pem.certificate(certificatePem, "CAConfig.SigningCACert");
            key = Pem.privateKey(keyPem, "CAConfig.SigningCAKey");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + e.getMessage());
        }
        if (cert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("invalid CAConfig.SigningCACert: not a CA certificate");
        }
        try {
            cert.checkValidity(Date.from(now));
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalArgumentException(
                    "invalid CAConfig.SigningCACert: not valid now (" + e.getMessage() + ")");
        }
        if (!CertificateRequest.isSwarmKeyType(cert.getPublicKey())) {
            throw new IllegalArgumentException("invalid CAConfig.SigningCACert: the swarm's root CA has an ECDSA P-256 "
                    + "key, not " + cert.getPublicKey().getAlgorithm());
        }
        RootCa ca = new RootCa(cert, key);
        try {
            byte[] probe = "skep".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature s = java.security.Signature.getInstance(SIGNATURE);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(probe);
            if (!s.verify(signature)) {
                throw new IllegalArgumentException(
                        "invalid CAConfig.SigningCAKey: not the key of CAConfig.SigningCACert");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("invalid CAConfig.SigningCAKey: not the key of CAConfig.SigningCACert");
        }
        return ca;
    }

    /**
     * {@code next}'s certificate signed by this root: the same subject and key, so that a node that trusts only this
     * root follows a chain through it to certificates {@code next} signs (Swarm's cross-signed root).
     */
    public X509Certificate crossSign(RootCa next, SecureRandom random, Instant now) {
        X509Certificate other = next.certificate;
        if (other.getSubjectX500Principal().equals(certificate.getSubjectX500Principal())) {
            throw new IllegalArgumentException("invalid CAConfig.SigningCACert: its subject is the swarm's root CA's ("
                    + certificate.getSubjectX500Principal().getName() + "); a new root needs a name of its own");
        }
        Date until =
                other.getNotAfter().before(certificate.getNotAfter()) ? other.getNotAfter() : certificate.getNotAfter();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            certificate,
                            serial(random),
                            Date.from(now.minus(BACKDATE)),
                            until,
                            other.getSubjectX500Principal(),
                            other.getPublicKey())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            extensions.createSubjectKeyIdentifier(other.getPublicKey()))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            extensions.createAuthorityKeyIdentifier(certificate));
            return sign(builder, key);
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot cross-sign the new root CA: " + e.getMessage(), e);
        }
    }

    /** A root CA certificate as another node shows it (its digest checked against a join token first). */
    public static X509Certificate certificateOf(String certificatePem) {
        return Pem.certificate(certificatePem, "root CA certificate");
    }

    public String certificatePem() {
        return certificatePem;
    }

    public String keyPem() {
        return Pem.write(key);
    }

    /**
     * The SHA-256 digest of the certificate's PEM, in base 36 and 50 digits, as in Swarm's join tokens
     * ({@code SWMTKN-1-<digest>-<secret>}).
     */
    public String digest() {
        return digestOf(certificatePem);
    }

    /** The digest {@link #digest()} of the root CA whose certificate is {@code certificatePem} (PEM as stored). */
    public static String digestOf(String certificatePem) {
        try {
            byte[] sha =
                    MessageDigest.getInstance("SHA-256").digest(certificatePem.getBytes(StandardCharsets.US_ASCII));
            return base36(new BigInteger(1, sha), JoinToken.DIGEST_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }

    static String base36(BigInteger n, int width) {
        String digits = n.toString(36);
        return "0".repeat(Math.max(0, width - digits.length())) + digits;
    }

    /**
     * A certificate for a node: CN = node ID, OU = role, O = cluster ID; DNS names the role and the node ID (and
     * {@code swarm-ca} for a manager, which answers as the CA), for both ends of mutual TLS; valid for
     * {@code expiry} from {@code now}.
     */
    public NodeCertificate issue(
            String nodeId, NodeRole role, String clusterId, Duration expiry, SecureRandom random, Instant now) {
        KeyPair pair = p256(random);
        return new NodeCertificate(
                sign(pair.getPublic(), nodeId, role, clusterId, expiry, random, now), pair.getPrivate());
    }

    /**
     * The same, for a key pair the CA never sees: a certificate of {@code publicKey}, from a node's
     * {@link CertificateRequest} (check it with {@link CertificateRequest#verifiedKey}).
     */
    public X509Certificate sign(
            java.security.PublicKey publicKey,
            String nodeId,
            NodeRole role,
            String clusterId,
            Duration expiry,
            SecureRandom random,
            Instant now) {
        if (expiry.isNegative() || expiry.isZero()) {
            throw new IllegalArgumentException("node certificate expiry must be positive, got " + expiry);
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, clusterId)
                .addRDN(BCStyle.OU, role.unit())
                .addRDN(BCStyle.CN, nodeId)
                .build();
        GeneralName[] names = role == NodeRole.MANAGER
                ? new GeneralName[] {dns(role.unit()), dns(nodeId), dns("swarm-ca")}
                : new GeneralName[] {dns(role.unit()), dns(nodeId)};
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            certificate,
                            serial(random),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(now.plus(expiry)),
                            subject,
                            publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                    }))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            extensions.createAuthorityKeyIdentifier(certificate));
            return sign(builder, key);
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate for node " + nodeId + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code node} was signed by this CA (and is within its validity at {@code now}). */
    public boolean signed(NodeCertificate node, Instant now) {
        try {
            node.certificate().verify(certificate.getPublicKey());
            node.certificate().checkValidity(Date.from(now));
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(159, random); // positive, at most 20 octets (RFC 5280)
    }

    static KeyPair p256(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no ECDSA P-256 in this JDK: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
        } catch (OperatorCreationException | java.security.cert.CertificateException e) {
            throw new IllegalStateException("cannot sign a certificate: " + e.getMessage(), e);
        }
    }
}
