package io.skep.core.api;

import io.skep.client.ControlTls;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Who may reach the control API besides whoever reaches its address: the TLS of its TCP listeners, and the group
 * that may use its unix sockets. The control API is root on every node of a swarm (a service may run any host
 * process), so a TCP listener beyond loopback must authenticate its clients: {@link #checkListen} refuses it
 * otherwise, as dockerd means to.
 *
 * @param tls         TLS of the TCP listeners ({@code --tls}, {@code --tlsverify}), or {@code null}: plaintext
 * @param socketGroup the group given read and write access to the unix sockets ({@code --group}); {@code null}:
 *                    {@value #DEFAULT_GROUP} where that group exists, else none; empty: none (only the daemon's user)
 */
public record ControlAccess(ControlTls tls, String socketGroup) {

    /** The group whose members may use the socket, when it exists and {@code --group} names none (dockerd: docker). */
    public static final String DEFAULT_GROUP = "skep";

    /** Plaintext TCP (on loopback only), the default socket group. */
    public static final ControlAccess DEFAULT = new ControlAccess(null, null);

    /** Whether TCP clients prove who they are: mutual TLS ({@code --tlsverify}). */
    public boolean authenticatesClients() {
        return tls != null && tls.verify();
    }

    /**
     * Refuses to listen on {@code host} when it is TCP beyond loopback (every address, or one other machines
     * reach) and clients are not authenticated.
     *
     * @throws IllegalArgumentException saying why, and what to do instead
     */
    public void checkListen(URI host) {
        if (!"tcp".equals(host.getScheme()) || authenticatesClients()) {
            return;
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host.getHost());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("-H " + host + ": unknown host " + host.getHost(), e);
        }
        checkListen(host.toString(), address);
    }

    /** The same, for the address {@code host} resolved to: the one to bind. */
    void checkListen(String host, InetAddress bound) {
        if (authenticatesClients() || bound.isLoopbackAddress()) {
            return;
        }
        throw new IllegalArgumentException("-H " + host + ": a TCP listener beyond loopback needs mutual TLS "
                + "(--tlsverify --tlscacert CA --tlscert CERT --tlskey KEY)"
                + (tls == null ? "" : ", and --tls alone authenticates nobody")
                + ": without it, anyone who reaches the port controls the swarm, and root on every node through its "
                + "services. Add those flags, or listen on loopback (tcp://127.0.0.1:PORT) or a unix socket");
    }
}
