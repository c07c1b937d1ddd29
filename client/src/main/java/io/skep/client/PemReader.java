package io.skep.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys in PEM files, as {@code openssl} and Docker's TLS recipe write them, read with the
 * JDK alone (the client image carries no Bouncy Castle): RSA or EC keys as PKCS#8 ({@code PRIVATE KEY}), PKCS#1
 * ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY}, with or without an {@code EC PARAMETERS} block). The
 * JDK's key factories take PKCS#8 only, so the other two are wrapped into it: the wrapping is a fixed DER header
 * (plus, for EC, the curve named inside the key). Messages name the file, as Docker's do.
 */
public final class PemReader {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\R(.*?)-----END \\1-----", Pattern.DOTALL);
    /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with its NULL parameters. */
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    /** The OID id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

    private PemReader() {}

    /** Every certificate of a file (a chain, or a bundle of CAs), in its order; at least one. */
    public static List<X509Certificate> certificates(Path file, String what) {
        byte[] pem = read(file, what);
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (var c : factory.generateCertificates(new ByteArrayInputStream(pem))) {
                certificates.add((X509Certificate) c);
            }
            if (!certificates.isEmpty()) {
                return certificates;
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(cannot(what, file) + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(cannot(what, file) + ": no PEM certificate in it");
    }

    /** The private key of a file: the first key in it. */
    public static PrivateKey privateKey(Path file, String what) {
        Matcher block = BLOCK.matcher(new String(read(file, what), StandardCharsets.ISO_8859_1));
        while (block.find()) {
            String type = block.group(1);
            String body = block.group(2);
            if (type.equals("ENCRYPTED PRIVATE KEY") || body.contains("Proc-Type: 4,ENCRYPTED")) {
                throw new IllegalArgumentException(cannot(what, file) + ": the key is encrypted with a passphrase; "
                        + "give an unencrypted key (openssl pkey -in KEY -out KEY.pem)");
            }
            if (!type.endsWith("PRIVATE KEY")) {
                continue; // EC PARAMETERS, a certificate kept beside the key
            }
            try {
                byte[] der = Base64.getMimeDecoder().decode(body);
                return switch (type) {
                    case "PRIVATE KEY" -> pkcs8(der);
                    case "RSA PRIVATE KEY" ->
                        KeyFactory.getInstance("RSA")
                                .generatePrivate(new PKCS8EncodedKeySpec(pkcs8Info(RSA_ALGORITHM, der)));
                    case "EC PRIVATE KEY" ->
                        KeyFactory.getInstance("EC")
                                .generatePrivate(new PKCS8EncodedKeySpec(
                                        pkcs8Info(tlv(0x30, EC_PUBLIC_KEY_OID, sec1Curve(der)), der)));
                    default -> throw new IllegalArgumentException("a " + type + " is not an RSA or EC key");
                };
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException(cannot(what, file) + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException(cannot(what, file) + ": no PEM private key in it");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /** PKCS#8's PrivateKeyInfo: version 0, the algorithm, the key of that algorithm's own format. */
    private static byte[] pkcs8Info(byte[] algorithm, byte[] key) {
        return tlv(0x30, hex("020100"), algorithm, tlv(0x04, key));
    }

    /** The curve OID of a SEC 1 ECPrivateKey: SEQUENCE { version, privateKey, [0] parameters, [1] publicKey }. */
    private static byte[] sec1Curve(byte[] der) {
        int[] at = {0};
        byte[] sequence = next(der, at, 0x30);
        at[0] = 0;
        next(sequence, at, 0x02);
        next(sequence, at, 0x04);
        byte[] parameters = next(sequence, at, 0xa0);
        if (parameters.length < 2 || parameters[0] != 0x06) {
            throw new IllegalArgumentException("the EC key names no curve");
        }
        return parameters;
    }

    /** The contents of the DER element at {@code at[0]}, which must have {@code tag}; moves past it. */
    private static byte[] next(byte[] der, int[] at, int tag) {
        int i = at[0];
        if (i + 2 > der.length || (der[i] & 0xff) != tag) {
            throw new IllegalArgumentException("malformed key (DER)");
        }
        int length = der[i + 1] & 0xff;
        int start = i + 2;
        if (length > 0x80) {
            int octets = length & 0x7f;
            length = 0;
            for (int k = 0; k < octets; k++) {
                length = (length << 8) | (der[start + k] & 0xff);
            }
            start += octets;
        }
        if (length < 0 || start + length > der.length) {
            throw new IllegalArgumentException("malformed key (DER)");
        }
        at[0] = start + length;
        return Arrays.copyOfRange(der, start, start + length);
    }

    /** One DER element: its tag, its length, and the parts that are its contents. */
    private static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.size();
        if (length < 0x80) {
            out.write(length);
        } else {
            int octets = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | octets);
            for (int k = octets - 1; k >= 0; k--) {
                out.write(length >>> (8 * k));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    private static byte[] hex(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    private static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(cannot(what, file) + ": no such file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(cannot(what, file) + ": " + e.getMessage(), e);
        }
    }

    private static String cannot(String what, Path file) {
        return "could not read " + what + " \"" + file + "\"";
    }
}
