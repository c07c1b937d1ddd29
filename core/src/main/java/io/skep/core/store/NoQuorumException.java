package io.skep.core.store;

import java.io.IOException;

/**
 * A write that no leader with a majority of managers took. Either refused at once, when this manager can reach no
 * majority (the write was never proposed: it has no effect), or failed while under way (a leader lost under it, an
 * election that did not end in time): such a write was proposed and may still take effect once a majority is back,
 * as in Swarm. Either way it may be tried again.
 */
public final class NoQuorumException extends IOException {
    /** Swarm's words. */
    public static final String MESSAGE = "The swarm does not have a leader. It's possible that too few managers are "
            + "online. Make sure more than half of the managers are online.";
    /** Added to {@link #MESSAGE} for a write that was under way: its client must not take it as not done. */
    public static final String UNDER_WAY =
            " The write was under way when the leader was lost: it may still take " + "effect once a majority is back.";

    private final boolean mayTakeEffect;

    /** Refused before it was proposed: the write has no effect. */
    public NoQuorumException() {
        super(MESSAGE);
        this.mayTakeEffect = false;
    }

    private NoQuorumException(Throwable cause) {
        super(MESSAGE + UNDER_WAY, cause);
        this.mayTakeEffect = true;
    }

    /** A proposed write that Raft could not commit in time: {@code cause} says how (kept for the logs). */
    public static NoQuorumException underWay(Throwable cause) {
        return new NoQuorumException(cause);
    }

    /** Whether the write was proposed, and so may still be applied. */
    public boolean mayTakeEffect() {
        return mayTakeEffect;
    }
}
