package io.skep.api.model;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Docker's {@code InitRequest}, the body of {@code POST /swarm/init}: a new swarm with this node as its only manager.
 * Empty and null fields take the daemon's settings or Swarm's defaults.
 */
public class SwarmInitRequest {
    /** The cluster port's address ({@code host}, {@code host:port} or an interface); else {@code --listen-addr}. */
    public String listenAddr;
    /** The address other nodes reach this manager at; else one found from the listen address. */
    public String advertiseAddr;

    public String dataPathAddr;
    public Long dataPathPort;
    public List<String> defaultAddrPool;
    public Long subnetSize;
    /** On a manager whose swarm lost its quorum: a new Raft group of this manager alone, keeping the swarm's state. */
    public Boolean forceNewCluster;
    /** The new swarm's spec, Swarm's defaults filled in where it leaves a field out or zero. */
    public Cluster.SwarmSpec spec;
    /** Whether restarted managers wait for the unlock key (as {@code Spec.EncryptionConfig.AutoLockManagers}). */
    public boolean autoLockManagers;
    /** This node's availability: {@code active} (the default), {@code pause} or {@code drain}. */
    public String availability;

    /**
     * Read as it always was, leniently ({@code "true"} and 1 are true, anything else not boolean is false): the API
     * checks every other field of the request, not this one.
     */
    @JsonSetter("AutoLockManagers")
    void autoLockManagers(JsonNode value) {
        autoLockManagers = value != null && value.asBoolean(false);
    }
}
