package io.skep.client;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager of one certificate (with its chain) and its key. A client shows it whichever CAs the server says
 * it accepts, as Go's TLS client (the docker CLI's) does: the JDK's would show none to a server of another CA, which
 * then could only say "certificate required"; shown, it is refused for what it is. A server shows it to every
 * client, without the key store Netty would otherwise encrypt the key into. The certificate may change (a node's
 * renewal): each handshake takes the one current then.
 */
public final class OneCertificate extends X509ExtendedKeyManager {
    private static final String ALIAS = "this";

    private final Supplier<PrivateKey> key;
    private final Supplier<X509Certificate[]> chain;

    public OneCertificate(PrivateKey key, List<X509Certificate> chain) {
        X509Certificate[] fixed = chain.toArray(X509Certificate[]::new);
        this.key = () -> key;
        this.chain = () -> fixed;
    }

    /** A certificate read at each handshake: {@code key} and {@code chain} name the current one. */
    public OneCertificate(Supplier<PrivateKey> key, Supplier<X509Certificate[]> chain) {
        this.key = key;
        this.chain = chain;
    }

    /** The alias when the key is of one of {@code keyTypes} (as TLS names them: RSA, EC, RSASSA-PSS), else null. */
    private String alias(String... keyTypes) {
        String algorithm = key.get().getAlgorithm();
        boolean fits = Arrays.stream(keyTypes)
                .anyMatch(type -> type.equals(algorithm) || type.equals("RSASSA-PSS") && algorithm.equals("RSA"));
        return fits ? ALIAS : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return alias(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.get().clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key.get() : null;
    }
}
