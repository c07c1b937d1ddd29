package io.skep.core.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates and private keys in PEM files, as {@code openssl} and Docker's TLS recipe write them: RSA or EC
 * keys as PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY}, with or
 * without an {@code EC PARAMETERS} block before it). Bouncy Castle reads them. Messages name the file, as Docker's
 * do ({@code could not read CA certificate "…"}).
 */
public final class PemFiles {
    private PemFiles() {}

    /** Every certificate of a file (a chain, or a bundle of CAs), in its order; at least one. */
    public static List<X509Certificate> certificates(Path file, String what) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object o : objects(file, what)) {
            if (o instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException(cannot(what, file) + ": " + e.getMessage(), e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(cannot(what, file) + ": no PEM certificate in it");
        }
        return certificates;
    }

    /** The private key of a file: the first key in it. */
    public static PrivateKey privateKey(Path file, String what) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object o : objects(file, what)) {
            try {
                if (o instanceof PEMKeyPair pair) { // PKCS#1 or SEC 1; a SEC 1 key may leave its public half out
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(cannot(what, file) + ": " + e.getMessage(), e);
            }
            if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new IllegalArgumentException(
                        cannot(what, file)
                                + ": the key is encrypted with a passphrase; give an unencrypted key (openssl pkey -in KEY -out KEY.pem)");
            }
        }
        throw new IllegalArgumentException(cannot(what, file) + ": no PEM private key in it");
    }

    private static List<Object> objects(Path file, String what) {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
                PEMParser parser = new PEMParser(reader)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                objects.add(o);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(cannot(what, file) + ": no such file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(cannot(what, file) + ": " + e.getMessage(), e);
        }
        return objects;
    }

    private static String cannot(String what, Path file) {
        return "could not read " + what + " \"" + file + "\"";
    }
}
