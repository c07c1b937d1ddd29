package io.skep.core.pki;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/** PEM text of certificates and private keys (Bouncy Castle's reader and writer). */
final class Pem {
    private Pem() {
    }

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
