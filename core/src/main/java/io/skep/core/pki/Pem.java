package io.skep.core.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/** PEM text of certificates and private keys (Bouncy Castle's reader and writer). */
final class Pem {
    /** Bouncy Castle's own provider: PBES2 with AES as openssl names it is not the JDK's. */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private Pem() {}

    /** A certificate, or a private key as PKCS#8 ({@code PRIVATE KEY}: the JDK's keys carry no public half). */
    static String write(Object certificateOrKey) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            if (certificateOrKey instanceof PrivateKey key) {
                writer.writeObject(new JcaPKCS8Generator(key, null));
            } else {
                writer.writeObject(certificateOrKey);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write PEM", e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /**
     * A private key as encrypted PKCS#8 ({@code ENCRYPTED PRIVATE KEY}: PBKDF2 and AES-256-CBC, as openssl writes
     * it), under {@code password}.
     */
    static String writeEncrypted(PrivateKey key, char[] password) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                    .setProvider(BC)
                    .setRandom(new java.security.SecureRandom())
                    .setPassword(password)
                    .build();
            writer.writeObject(new JcaPKCS8Generator(key, encryptor));
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot encrypt a private key", e);
        }
        return text.toString();
    }

    /** Whether {@code pem} holds an encrypted private key. */
    static boolean isEncrypted(String pem) {
        return pem != null && pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    }

    /** The private key of an encrypted PKCS#8 PEM. @throws IllegalArgumentException for a wrong password */
    static PrivateKey privateKey(String pem, char[] password, String what) {
        if (!(read(pem, what) instanceof PKCS8EncryptedPrivateKeyInfo encrypted)) {
            throw new IllegalArgumentException(what + ": not an encrypted PEM private key");
        }
        try {
            PrivateKeyInfo info = encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                    .setProvider(BC)
                    .build(password));
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (PKCSException | OperatorCreationException | IOException | RuntimeException e) {
            throw new IllegalArgumentException(what + ": cannot be decrypted with this key");
        }
    }

    /** Every certificate of {@code pem}, in order (a chain, or a bundle of roots); at least one. */
    static java.util.List<X509Certificate> certificates(String pem, String what) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException(what + ": empty");
        }
        java.util.List<X509Certificate> out = new java.util.ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (!(o instanceof X509CertificateHolder holder)) {
                    throw new IllegalArgumentException(what + ": not a PEM certificate");
                }
                out.add(new JcaX509CertificateConverter().getCertificate(holder));
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(what + ": no PEM certificate");
        }
        return out;
    }

    static X509Certificate certificate(String pem, String what) {
        Object o = read(pem, what);
        if (!(o instanceof X509CertificateHolder holder)) {
            throw new IllegalArgumentException(what + ": not a PEM certificate");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(String pem, String what) {
        Object o = read(pem, what);
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(what + ": not a PEM private key");
    }

    private static Object read(String pem, String what) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException(what + ": empty");
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (o == null) {
                throw new IllegalArgumentException(what + ": no PEM object");
            }
            return o;
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }
}
