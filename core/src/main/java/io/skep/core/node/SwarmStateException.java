package io.skep.core.node;

/**
 * What this node's swarm lifecycle (init, join, force-new-cluster) refused, and why, in Docker's words: the control
 * API answers each {@link Kind} with Docker's HTTP status ({@link Daemon#apiError}).
 */
final class SwarmStateException extends Exception {

    /** Why a swarm request was refused. */
    enum Kind {
        /** A field of the request the node cannot use: an address, the join token, no manager to join through. */
        INVALID_ARGUMENT,
        /** {@code --force-new-cluster} on a node that is not a manager of a swarm. */
        NOT_A_MANAGER,
        /** A join while the node is in a swarm already. */
        ALREADY_IN_SWARM,
        /** The swarm's manager cannot be reached, or failed; trying again may do. */
        UNAVAILABLE,
        /** The manager is not of the swarm the join token names, refused the token, or signed for another node. */
        PERMISSION_DENIED,
        /** The manager refused the join for a reason of its own: its status is passed on as it answered. */
        REFUSED_BY_MANAGER
    }

    private final Kind kind;
    /** The status of the manager's answer ({@link Kind#REFUSED_BY_MANAGER}), else 0. */
    private final int managerStatus;

    SwarmStateException(Kind kind, String message) {
        this(kind, 0, message);
    }

    private SwarmStateException(Kind kind, int managerStatus, String message) {
        super(message);
        this.kind = kind;
        this.managerStatus = managerStatus;
    }

    /** The manager's cluster port answered the join with {@code status} and {@code message}. */
    static SwarmStateException refusedByManager(int status, String message) {
        return new SwarmStateException(Kind.REFUSED_BY_MANAGER, status, message);
    }

    Kind kind() {
        return kind;
    }

    int managerStatus() {
        return managerStatus;
    }
}
