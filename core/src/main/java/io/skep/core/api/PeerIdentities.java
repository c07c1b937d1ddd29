package io.skep.core.api;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.skep.core.tls.PeerIdentity;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;

/** The identity a TLS client proved on a connection, read from its handshake once and kept with the connection. */
final class PeerIdentities {
    private static final AttributeKey<Optional<PeerIdentity>> PEER = AttributeKey.valueOf("skep-peer");

    private PeerIdentities() {}

    /**
     * The client's identity, or null: no TLS, or no certificate shown (the TLS layer refused any certificate its trust
     * manager does not take). Call it on the connection's event loop, once the handshake is done.
     */
    static PeerIdentity of(Channel channel) {
        Optional<PeerIdentity> known = channel.attr(PEER).get();
        if (known == null) {
            known = Optional.ofNullable(handshakePeer(channel));
            channel.attr(PEER).set(known);
        }
        return known.orElse(null);
    }

    /** Whether the connection is TLS and its client showed no certificate: it is not authenticated yet. */
    static boolean anonymousTls(Channel channel) {
        return channel.pipeline().get(SslHandler.class) != null && of(channel) == null;
    }

    private static PeerIdentity handshakePeer(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        try {
            return PeerIdentity.of(ssl.engine().getSession());
        } catch (SSLPeerUnverifiedException noCertificate) {
            return null;
        }
    }
}
