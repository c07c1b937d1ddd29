package io.skep.core.api;

import io.skep.api.model.SwarmInitRequest;
import io.skep.api.model.SwarmJoinRequest;
import io.skep.core.manager.Manager;
import io.skep.core.plugins.PluginRegistry;

/** What the control API needs of the node that serves it. */
public interface NodeContext {

    String nodeId();

    String hostname();

    String version();

    /** The node's engine labels ({@code skep daemon --label}), matched by {@code engine.labels.*} constraints. */
    default java.util.Map<String, String> engineLabels() {
        return java.util.Map.of();
    }

    PluginRegistry plugins();

    /** The runtime for services that name none, or null when this image has no task runtime. */
    String defaultRuntime();

    /** This node's manager, or null while the node is not part of a swarm. */
    Manager manager();

    /** This node's part in its swarm, or null while it is in none. */
    Membership membership();

    /** Creates a swarm with this node as its only manager; returns the node ID. */
    String initSwarm(SwarmInitRequest request) throws Exception;

    /** Makes this manager the only one of a new Raft group that keeps the swarm's state (--force-new-cluster). */
    String forceNewCluster() throws Exception;

    /** Joins the swarm of {@code RemoteAddrs} with {@code JoinToken} (Docker's join request). */
    void joinSwarm(SwarmJoinRequest request) throws Exception;

    /** Leaves the swarm: stops and removes this node's tasks and erases the swarm's state here. */
    void leaveSwarm() throws Exception;

    /** Whether this manager waits for the swarm's unlock key (autolock) before it takes up its swarm. */
    default boolean locked() {
        return false;
    }

    /**
     * Opens this locked manager's keys with {@code unlockKey} and takes up its swarm.
     *
     * @throws ApiException 409 when it is not locked, 401 for a key that does not open them
     */
    default void unlock(String unlockKey) throws Exception {
        throw new ApiException(409, "swarm is not locked");
    }

    /** Docker's words for any call but unlock (and info) on a locked manager. */
    String LOCKED = "Swarm is encrypted and needs to be unlocked before it can be used. Please use "
            + "\"docker swarm unlock\" to unlock it.";

    /** The manager, or 503 with Docker's words when this node is not one. */
    default Manager requireManager() {
        if (locked()) {
            throw ApiException.unavailable(LOCKED);
        }
        Manager m = manager();
        if (m == null && membership() != null) {
            throw ApiException.unavailable("This node is not a swarm manager. Worker nodes can't be used to view or "
                    + "modify cluster state. Please run this command on a manager node or promote the current node "
                    + "to a manager.");
        }
        if (m == null) {
            throw ApiException.unavailable("This node is not a swarm manager. Use \"docker swarm init\" or "
                    + "\"docker swarm join\" to connect this node to swarm and try again.");
        }
        return m;
    }
}
