package io.skep.core.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * A node's certificate and key. As in Swarm, the subject names the node (CN = node ID), what it may do
 * (OU = {@code swarm-manager} or {@code swarm-worker}) and its swarm (O = cluster ID). During a root CA rotation the
 * certificate comes with an intermediate: the new root signed by the old one, so that nodes that trust only the old
 * root accept it.
 *
 * @param intermediates what the node shows after its certificate, towards a root its peers trust
 */
public record NodeCertificate(
        X509Certificate certificate, PrivateKey key, java.util.List<X509Certificate> intermediates) {

    public NodeCertificate {
        intermediates = java.util.List.copyOf(intermediates);
    }

    public NodeCertificate(X509Certificate certificate, PrivateKey key) {
        this(certificate, key, java.util.List.of());
    }

    /** A certificate (and its intermediates after it) and its key, PEM. */
    public static NodeCertificate fromPem(String certificatePem, String keyPem) {
        return of(certificatePem, Pem.privateKey(keyPem, "node key"));
    }

    /** The certificate and its intermediates, PEM. */
    public String certificatePem() {
        StringBuilder out = new StringBuilder(Pem.write(certificate));
        intermediates.forEach(c -> out.append(Pem.write(c)));
        return out.toString();
    }

    /** What the node shows in a TLS handshake: its certificate, then the intermediates. */
    public X509Certificate[] chain() {
        X509Certificate[] chain = new X509Certificate[1 + intermediates.size()];
        chain[0] = certificate;
        for (int i = 0; i < intermediates.size(); i++) {
            chain[i + 1] = intermediates.get(i);
        }
        return chain;
    }

    /** A certificate as PEM (one the CA signed for a key it never sees). */
    public static String pemOf(X509Certificate certificate) {
        return Pem.write(certificate);
    }

    /** A certificate the CA sent (and its intermediates after it), PEM, with the key this node kept. */
    public static NodeCertificate of(String certificatePem, PrivateKey key) {
        java.util.List<X509Certificate> chain = Pem.certificates(certificatePem, "node certificate");
        return new NodeCertificate(chain.get(0), key, chain.subList(1, chain.size()));
    }

    public String keyPem() {
        return Pem.write(key);
    }

    /** The key as encrypted PKCS#8 under {@code unlockKey} (a manager of an autolocked swarm keeps it so). */
    public String keyPem(UnlockKey unlockKey) {
        return Pem.writeEncrypted(key, unlockKey.text().toCharArray());
    }

    /** Whether a key's PEM is encrypted (the node's swarm is autolocked). */
    public static boolean isEncrypted(String keyPem) {
        return Pem.isEncrypted(keyPem);
    }

    /** A certificate and its key encrypted under {@code unlockKey}. @throws IllegalArgumentException for another key */
    public static NodeCertificate fromPem(String certificatePem, String encryptedKeyPem, UnlockKey unlockKey) {
        return of(
                certificatePem, Pem.privateKey(encryptedKeyPem, unlockKey.text().toCharArray(), "node key"));
    }

    /** Whether the certificate was signed with the key of {@code root} (a root CA certificate). */
    public boolean issuedBy(X509Certificate root) {
        try {
            certificate.verify(root.getPublicKey());
            return true;
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    public String nodeId() {
        return part(BCStyle.CN);
    }

    /** The role the certificate grants; empty for a certificate of no swarm role. */
    public java.util.Optional<NodeRole> role() {
        return NodeRole.ofUnit(part(BCStyle.OU));
    }

    public String clusterId() {
        return part(BCStyle.O);
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    public Instant notBefore() {
        return certificate.getNotBefore().toInstant();
    }

    /**
     * When to renew it: a random point between 50 % and 80 % of its validity, as Swarm picks, so that the nodes of
     * a swarm do not all renew at once.
     */
    public Instant renewalTime(java.util.random.RandomGenerator random) {
        double fraction = 0.5 + 0.3 * random.nextDouble();
        long validityMillis =
                java.time.Duration.between(notBefore(), notAfter()).toMillis();
        return notBefore().plusMillis((long) (validityMillis * fraction));
    }

    private String part(org.bouncycastle.asn1.ASN1ObjectIdentifier attribute) {
        RDN[] rdns = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded())
                .getRDNs(attribute);
        return rdns.length == 0
                ? ""
                : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }
}
