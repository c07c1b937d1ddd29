package io.skep.core.api;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a server's open connections, per remote address and in all, and turns away one over either cap: it is closed
 * at once, before TLS or HTTP cost anything. A unix socket's clients have no address: only the total counts for them.
 */
final class ConnectionCaps {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionCaps.class);
    /** At most one warning this often: a flood of refused connections must not flood the log too. */
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    private final int perPeer;
    private final int total;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> byPeer = new ConcurrentHashMap<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;

    ConnectionCaps(int perPeer, int total) {
        this.perPeer = perPeer;
        this.total = total;
    }

    /**
     * Counts a new connection, released when it closes; false (the connection already closed) when it is over a cap.
     */
    boolean admit(Channel channel) {
        InetAddress peer = channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            refuse(channel, "the server holds " + total + " connections already");
            return false;
        }
        if (peer != null) {
            if (byPeer.merge(peer, 1, Integer::sum) > perPeer) {
                release(peer);
                open.decrementAndGet();
                refuse(channel, peer.getHostAddress() + " holds " + perPeer + " connections already");
                return false;
            }
        }
        channel.closeFuture().addListener(f -> {
            open.decrementAndGet();
            if (peer != null) {
                release(peer);
            }
        });
        return true;
    }

    /** Connections open now (for tests and reports). */
    int open() {
        return open.get();
    }

    private void release(InetAddress peer) {
        byPeer.computeIfPresent(peer, (p, n) -> n <= 1 ? null : n - 1);
    }

    private void refuse(Channel channel, String why) {
        channel.close();
        int n = refused.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastWarning >= WARN_EVERY_NANOS) {
            lastWarning = now;
            refused.set(0);
            LOG.warn(
                    "connection from {} refused: {} ({} refused since the last such warning)",
                    channel.remoteAddress(),
                    why,
                    n);
        }
    }
}
