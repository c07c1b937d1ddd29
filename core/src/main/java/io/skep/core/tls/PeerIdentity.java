package io.skep.core.tls;

import io.skep.core.pki.NodeRole;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Who is at the other end of a mutual-TLS connection, read from the certificate it proved it holds: the node
 * (CN), what it may do (OU) and its swarm (O). Authorization is done on these, not on host names.
 */
public record PeerIdentity(String nodeId, Optional<NodeRole> role, String clusterId) {

    /** The peer of a completed handshake. */
    public static PeerIdentity of(SSLSession session) throws SSLPeerUnverifiedException {
        Certificate[] chain = session.getPeerCertificates();
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            throw new SSLPeerUnverifiedException("the peer showed no X.509 certificate");
        }
        return of(leaf);
    }

    public static PeerIdentity of(X509Certificate certificate) {
        X500Name subject =
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        return new PeerIdentity(
                part(subject, BCStyle.CN), NodeRole.ofUnit(part(subject, BCStyle.OU)), part(subject, BCStyle.O));
    }

    public boolean isManager() {
        return role.orElse(null) == NodeRole.MANAGER;
    }

    private static String part(X500Name name, ASN1ObjectIdentifier attribute) {
        RDN[] rdns = name.getRDNs(attribute);
        return rdns.length == 0
                ? ""
                : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }
}
