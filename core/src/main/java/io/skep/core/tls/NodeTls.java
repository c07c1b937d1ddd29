package io.skep.core.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.skep.core.pki.NodeCertificate;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The TLS of node-to-node connections: both ends show a certificate of the swarm's root CA and trust that CA
 * alone (mutual TLS, TLS 1.3). Host names are not checked, as in Swarm: nodes are known by the node ID, role and
 * swarm in their certificates ({@link PeerIdentity}), which the server authorizes on. The JDK's JSSE provider for
 * now; Conscrypt where it loads is to come with the node-to-node transports that use these contexts.
 */
public final class NodeTls {
    private static final List<String> PROTOCOLS = List.of("TLSv1.3");

    private final NodeCertificate own;
    private final X509Certificate rootCa;

    public NodeTls(NodeCertificate own, X509Certificate rootCa) {
        this.own = own;
        this.rootCa = rootCa;
    }

    public NodeCertificate certificate() {
        return own;
    }

    /** A server's context: a client without a certificate of the swarm's CA fails the handshake. */
    public SslContext server() throws SSLException {
        return SslContextBuilder.forServer(own.key(), own.certificate(), rootCa)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .trustManager(rootCa)
                .clientAuth(ClientAuth.REQUIRE)
                .build();
    }

    /** A client's context: it shows this node's certificate and accepts only a server of the swarm's CA. */
    public SslContext client() throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .keyManager(own.key(), own.certificate(), rootCa)
                .trustManager(rootCa)
                .endpointIdentificationAlgorithm(null)
                .build();
    }
}
