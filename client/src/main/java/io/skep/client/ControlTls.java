package io.skep.client;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS of the control API's TCP listeners and of the clients that reach them, as dockerd's and the docker CLI's
 * flags describe it. With {@code verify} ({@code --tlsverify}) it is mutual: the server asks every client for a
 * certificate signed by {@code caCert} and refuses the handshake without one, and the client checks that the
 * server's certificate is signed by {@code caCert} and names the host it dialled. Without it ({@code --tls}) the
 * connection is encrypted and nobody is authenticated. TLS 1.2 or 1.3 (Docker's minimum is 1.2), ECDHE with AEAD
 * ciphers only; PEM files, RSA or EC keys ({@link PemReader}).
 *
 * @param verify whether the other end must prove itself with a certificate signed by {@code caCert}
 * @param caCert the CA certificate(s), PEM; needed with {@code verify}
 * @param cert   this end's certificate (with its chain, if any), PEM; a client may have none
 * @param key    this end's private key, PEM; with {@code cert}
 */
public record ControlTls(boolean verify, Path caCert, Path cert, Path key) {
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** TLS 1.3's suites; for TLS 1.2, ECDHE with authenticated encryption (the docker CLI's list, and ChaCha20). */
    private static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    public ControlTls {
        if (verify && caCert == null) {
            throw new IllegalArgumentException("--tlsverify needs --tlscacert: the CA whose certificates are trusted");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--tlscert and --tlskey go together: a certificate and its private key");
        }
    }

    /**
     * A server's context: it shows {@code cert}; with {@code verify}, a client without a certificate of
     * {@code caCert} fails the handshake. Runs on {@code provider} (the daemon's TLS provider, as its node-to-node
     * TLS), or the JDK's when null.
     *
     * @throws IllegalArgumentException for a missing or unreadable file, or a key that is not the certificate's
     */
    public SslContext server(Provider provider) throws SSLException {
        if (cert == null) {
            throw new IllegalArgumentException("TLS needs --tlscert and --tlskey: the daemon's certificate and key");
        }
        List<X509Certificate> chain = PemReader.certificates(cert, "TLS certificate");
        PrivateKey privateKey = matchingKey(chain.getFirst());
        SslContextBuilder builder = SslContextBuilder.forServer(new OneCertificate(privateKey, chain))
                .sslProvider(SslProvider.JDK)
                .sslContextProvider(provider)
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        if (verify) {
            builder.trustManager(trusting(caCert, provider)).clientAuth(ClientAuth.REQUIRE);
        }
        return builder.build();
    }

    /**
     * A client's context: it shows {@code cert} if there is one; with {@code verify} it accepts only a server
     * certificate of {@code caCert} that names the host dialled (give that host to
     * {@link SslContext#newHandler(io.netty.buffer.ByteBufAllocator, String, int)}), without it any server. A
     * CLI makes one handshake per run: the JDK's own TLS, which needs no native library loaded, serves it best.
     */
    public SslContext client() throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        if (cert != null) {
            List<X509Certificate> chain = PemReader.certificates(cert, "TLS certificate");
            builder.keyManager(new OneCertificate(matchingKey(chain.getFirst()), chain));
        }
        if (verify) {
            builder.trustManager(trusting(caCert, null)).endpointIdentificationAlgorithm("HTTPS");
        } else {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        }
        return builder.build();
    }

    /** The key of {@code key}, checked against the certificate (else the handshake would fail, saying less). */
    private PrivateKey matchingKey(X509Certificate certificate) {
        PrivateKey privateKey = PemReader.privateKey(key, "TLS key");
        try {
            String algorithm = switch (privateKey.getAlgorithm()) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                default ->
                    throw new IllegalArgumentException("TLS key \"" + key + "\": a " + privateKey.getAlgorithm()
                            + " key; an RSA or EC key is needed");
            };
            byte[] probe = "skep".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return privateKey;
            }
        } catch (GeneralSecurityException mismatch) {
            // an RSA key against an EC certificate, or the like
        }
        throw new IllegalArgumentException("TLS key \"" + key + "\" is not the key of the certificate \"" + cert
                + "\" (private key does not match public key)");
    }

    /** Trusts certificates signed by the CAs of {@code file} and no others. */
    private static TrustManagerFactory trusting(Path file, Provider provider) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate ca : PemReader.certificates(file, "CA certificate")) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            // PKIX from the TLS provider: the JDK's trust manager fails under Conscrypt's TLS 1.3 (conscrypt#1033).
            TrustManagerFactory factory = provider == null
                    ? TrustManagerFactory.getInstance("PKIX")
                    : TrustManagerFactory.getInstance("PKIX", provider);
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("could not read CA certificate \"" + file + "\": " + e.getMessage(), e);
        }
    }
}
