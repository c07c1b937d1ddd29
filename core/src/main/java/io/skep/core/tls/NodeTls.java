package io.skep.core.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.skep.client.OneCertificate;
import io.skep.core.pki.NodeCertificate;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS of node-to-node connections: both ends show a certificate of the swarm's root CA and trust that CA
 * alone (mutual TLS, TLS 1.3). Host names are not checked, as in Swarm: nodes are known by the node ID, role and
 * swarm in their certificates ({@link PeerIdentity}), which the server authorizes on. The node's certificate is
 * read at each handshake, so a renewed one is shown from the next connection on. The provider is
 * {@link TlsProvider}'s: Conscrypt where it loads, the JDK's otherwise.
 */
public final class NodeTls {
    private static final List<String> PROTOCOLS = List.of("TLSv1.3");

    private volatile NodeCertificate own;
    private volatile List<X509Certificate> roots;
    /** This node's key and certificate as they are at each handshake (a renewal shows from the next one on). */
    private final X509ExtendedKeyManager keys = new OneCertificate(() -> own.key(), () -> own.chain());

    private final RootsOnly trust;
    /** The same trust on the JDK's PKIX, for transports that bring their own TLS engine (Raft's gRPC). */
    private final RootsOnly jdkTrust;

    public NodeTls(NodeCertificate own, X509Certificate rootCa) {
        this(own, List.of(rootCa));
    }

    /** @param roots the root CAs to trust: the swarm's, and during a root rotation the new one too */
    public NodeTls(NodeCertificate own, List<X509Certificate> roots) {
        this.own = own;
        this.roots = List.copyOf(roots);
        this.trust = new RootsOnly(roots, TlsProvider.conscrypt());
        this.jdkTrust = new RootsOnly(roots, null);
    }

    public NodeCertificate certificate() {
        return own;
    }

    /** The first root this node trusts (the swarm's current root). */
    public X509Certificate rootCa() {
        return roots.get(0);
    }

    /**
     * Trusts {@code next} from the next handshake on, on every transport built from this object (a root CA rotation:
     * both roots while it runs, the new one alone once it is done).
     */
    public void trust(List<X509Certificate> next) {
        roots = List.copyOf(next);
        trust.roots(next);
        jdkTrust.roots(next);
    }

    /** Shows {@code next} from the next handshake on (a renewal: same node, same CA). */
    public void renewed(NodeCertificate next) {
        own = next;
    }

    /** A server's context: a client without a certificate of the swarm's CA fails the handshake. */
    public SslContext server() throws SSLException {
        return server(ClientAuth.REQUIRE);
    }

    /**
     * The context of a manager's cluster port: a client of the swarm's CA is known by its certificate; one without
     * a certificate is let in, and may only fetch the root CA or join with a token. A client with a certificate of
     * another CA fails the handshake.
     */
    public SslContext clusterServer() throws SSLException {
        return server(ClientAuth.OPTIONAL);
    }

    private SslContext server(ClientAuth clientAuth) throws SSLException {
        return SslContextBuilder.forServer(keys)
                .sslProvider(SslProvider.JDK)
                .sslContextProvider(TlsProvider.conscrypt())
                .protocols(PROTOCOLS)
                .trustManager(trust)
                .clientAuth(clientAuth)
                .build();
    }

    /**
     * A client's context: it shows this node's certificate and accepts only a manager of the swarm's CA as the server
     * (nodes serve nothing to each other but managers do: a worker's certificate cannot pass for one).
     */
    public SslContext client() throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .sslContextProvider(TlsProvider.conscrypt())
                .protocols(PROTOCOLS)
                .keyManager(keys)
                .trustManager(new ManagerServers(trust))
                .endpointIdentificationAlgorithm(null)
                .build();
    }

    /** This node's key and certificate (the current one at each handshake), for transports that take a key manager. */
    public X509ExtendedKeyManager keyManager() {
        return keys;
    }

    /**
     * Trusts only managers of the swarm, on both ends: for manager-only transports (Raft), where a worker's
     * certificate, though the swarm's CA signed it, must fail the handshake.
     */
    public X509ExtendedTrustManager managersOnly() {
        return managersOnly(nodeId -> true);
    }

    /**
     * {@link #managersOnly()}, and of those only the ones {@code admitted} names by node ID at the handshake: a
     * demoted or removed manager's certificate stops working as soon as the swarm's books say so.
     */
    public X509ExtendedTrustManager managersOnly(java.util.function.Predicate<String> admitted) {
        return new ManagersOnly(jdkTrust, admitted);
    }

    /** The same client side as a JSSE context, for the JDK's HTTP client: the server must be a manager. */
    public SSLContext clientContext() {
        return context(keys, new ManagerServers(trust));
    }

    /**
     * A client context for a node that has no certificate yet: it trusts any server, and shows none. Only for
     * reading a swarm's root CA, which the caller then checks against the digest in its join token.
     */
    public static SSLContext anyServer() {
        return context(null, new AnyServer());
    }

    /** A client context that shows no certificate and trusts the managers of the swarm whose root CA is {@code rootCa}. */
    public static SSLContext trusting(X509Certificate rootCa) {
        return context(null, new ManagerServers(new RootsOnly(List.of(rootCa), TlsProvider.conscrypt())));
    }

    private static SSLContext context(X509ExtendedKeyManager keys, TrustManager trust) {
        try {
            java.security.Provider provider = TlsProvider.conscrypt();
            SSLContext c =
                    provider == null ? SSLContext.getInstance("TLSv1.3") : SSLContext.getInstance("TLSv1.3", provider);
            c.init(keys == null ? null : new X509ExtendedKeyManager[] {keys}, new TrustManager[] {trust}, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS 1.3 in this JDK: " + e.getMessage(), e);
        }
    }

    /**
     * A trust manager that judges a chain alone: JSSE's socket and engine variants come to the same two checks. That
     * is also how the host-name check, which JSSE asks an extended trust manager to make, is left out on purpose:
     * the certificate's subject says who a node is.
     */
    private abstract static class ChainTrust extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }
    }

    /** Trusts a chain to one of the swarm's root CAs (PKIX checks) and nothing else; the roots can change. */
    private static final class RootsOnly extends ChainTrust {
        private final java.security.Provider provider;
        private volatile X509TrustManager pkix;

        /** @param provider the PKIX implementation's provider, or null for the JDK's */
        RootsOnly(List<X509Certificate> roots, java.security.Provider provider) {
            this.provider = provider;
            roots(roots);
        }

        void roots(List<X509Certificate> roots) {
            try {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                for (int i = 0; i < roots.size(); i++) {
                    store.setCertificateEntry("swarm-ca-" + i, roots.get(i));
                }
                TrustManagerFactory f = provider == null
                        ? TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
                        : TrustManagerFactory.getInstance("PKIX", provider);
                f.init(store);
                pkix = (X509TrustManager) f.getTrustManagers()[0];
            } catch (GeneralSecurityException | java.io.IOException e) {
                throw new IllegalStateException("cannot trust the swarm's root CA: " + e.getMessage(), e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

    /** Refuses a chain whose leaf does not name a manager (OU {@code swarm-manager}). */
    private static void manager(X509Certificate[] chain) throws CertificateException {
        if (chain.length == 0 || !PeerIdentity.of(chain[0]).isManager()) {
            throw new CertificateException("not a manager of this swarm: "
                    + (chain.length == 0
                            ? "no certificate"
                            : chain[0].getSubjectX500Principal().getName()));
        }
    }

    /** A chain the swarm's CA signed, whose leaf names a manager the swarm admits now, on both ends. */
    private static final class ManagersOnly extends ChainTrust {
        private final X509ExtendedTrustManager ca;
        private final java.util.function.Predicate<String> admitted;

        ManagersOnly(X509ExtendedTrustManager ca, java.util.function.Predicate<String> admitted) {
            this.ca = ca;
            this.admitted = admitted;
        }

        private void admitted(X509Certificate[] chain) throws CertificateException {
            manager(chain);
            String nodeId = PeerIdentity.of(chain[0]).nodeId();
            if (!admitted.test(nodeId)) {
                throw new CertificateException("node " + nodeId + " is no manager of this swarm now");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            ca.checkClientTrusted(chain, authType);
            admitted(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            ca.checkServerTrusted(chain, authType);
            admitted(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return ca.getAcceptedIssuers();
        }
    }

    /** A client's trust: a server of the swarm's CA that is a manager (clients are not checked here). */
    private static final class ManagerServers extends ChainTrust {
        private final X509ExtendedTrustManager ca;

        ManagerServers(X509ExtendedTrustManager ca) {
            this.ca = ca;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            ca.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            ca.checkServerTrusted(chain, authType);
            manager(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return ca.getAcceptedIssuers();
        }
    }

    /** Trusts every server: see {@link #anyServer()} for the one use it has. */
    private static final class AnyServer extends ChainTrust {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a joining node's context takes no clients");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // the root CA read over this connection is checked against the join token's digest
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
