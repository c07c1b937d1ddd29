package io.skep.core.store;

import java.io.IOException;

/** A write refused at once because no majority of managers can be reached: it would only wait and time out. */
public final class NoQuorumException extends IOException {
    /** Swarm's words. */
    public static final String MESSAGE = "The swarm does not have a leader. It's possible that too few managers are "
            + "online. Make sure more than half of the managers are online.";

    public NoQuorumException() {
        super(MESSAGE);
    }
}
