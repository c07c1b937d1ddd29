package io.skep.api.model;

import java.util.List;

/**
 * Docker's {@code JoinRequest}, the body of {@code POST /swarm/join}: join the swarm of {@code RemoteAddrs} with
 * {@code JoinToken}, as the worker or manager the token says. Empty and null fields take the daemon's settings.
 */
public class SwarmJoinRequest {
    /** This node's cluster port, should it join as a manager; else {@code --listen-addr}. */
    public String listenAddr;
    /** The address other nodes reach this node at; else one found from the listen address. */
    public String advertiseAddr;

    public String dataPathAddr;
    /** Managers of the swarm ({@code host:port}); the node joins through the first. */
    public List<String> remoteAddrs;
    /** {@code SWMTKN-1-<root CA digest>-<secret>}: the worker's or the manager's token. */
    public String joinToken;
    /** This node's availability: {@code active} (the default), {@code pause} or {@code drain}. */
    public String availability;
}
