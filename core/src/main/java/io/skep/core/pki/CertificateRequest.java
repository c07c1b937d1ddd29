package io.skep.core.pki;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A joining node's certificate request (PKCS#10): its key pair stays on the node, only the request (its public
 * key, signed with the private one) goes to the CA, as in Swarm. The CA names the node; the request names nothing.
 */
public record CertificateRequest(KeyPair keys, String pem) {

    /** A new key pair (ECDSA P-256) and its request. */
    public static CertificateRequest create(SecureRandom random) {
        KeyPair keys = RootCa.p256(random);
        try {
            PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(
                            new X500Name("CN=swarm-node"), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            return new CertificateRequest(keys, Pem.write(request));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign a certificate request: " + e.getMessage(), e);
        }
    }

    /** Whether {@code key} is of the swarm's one key type, ECDSA on P-256 (what every node makes). */
    static boolean isSwarmKeyType(PublicKey key) {
        return key instanceof java.security.interfaces.ECPublicKey ec
                && ec.getParams().getCurve().getField().getFieldSize() == 256
                && ec.getParams().getOrder().equals(P256_ORDER);
    }

    /** The order of P-256's base point (NIST FIPS 186-4, D.1.2.3): it tells that curve from any other 256-bit one. */
    private static final java.math.BigInteger P256_ORDER =
            new java.math.BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

    private static String describe(PublicKey key) {
        return key instanceof java.security.interfaces.ECPublicKey ec
                ? "an EC key of " + ec.getParams().getCurve().getField().getFieldSize() + " bits on another curve"
                : "a " + key.getAlgorithm() + " key";
    }

    /**
     * The public key of a request in PEM, once its signature is checked: only the holder of the private key can
     * have made it.
     */
    public static PublicKey verifiedKey(String pem) {
        Object o;
        try (PEMParser parser = new PEMParser(new StringReader(pem == null ? "" : pem))) {
            o = parser.readObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("certificate request: " + e.getMessage(), e);
        }
        if (!(o instanceof PKCS10CertificationRequest request)) {
            throw new IllegalArgumentException("certificate request: not a PEM certificate request");
        }
        try {
            JcaPKCS10CertificationRequest jca = new JcaPKCS10CertificationRequest(request);
            PublicKey key = jca.getPublicKey();
            if (!isSwarmKeyType(key)) {
                throw new IllegalArgumentException(
                        "certificate request: the swarm signs ECDSA P-256 keys only, not " + describe(key));
            }
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new IllegalArgumentException("certificate request: its signature does not match its key");
            }
            return key;
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
            throw new IllegalArgumentException("certificate request: " + e.getMessage(), e);
        } catch (IllegalStateException | ClassCastException undecodable) {
            // Bouncy Castle's word for DER it cannot read: the request is the caller's fault, not the CA's
            throw new IllegalArgumentException(
                    "certificate request: cannot be decoded (" + undecodable.getMessage() + ")");
        }
    }
}
