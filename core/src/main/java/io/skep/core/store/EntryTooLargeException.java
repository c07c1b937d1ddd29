package io.skep.core.store;

import io.skep.api.model.Kind;
import java.io.IOException;

/**
 * A write holding one object too large for a Raft entry. Entries are bounded (as swarmkit bounds a transaction) so
 * that no write can make one huge entry that every manager must hold, replicate and apply at once.
 */
public final class EntryTooLargeException extends IOException {
    public EntryTooLargeException(Kind kind, String id, int bytes, int limit) {
        super("%s %s is too large to store: %d bytes, more than the %d bytes one write to the swarm's store may hold"
                .formatted(kind.name().toLowerCase(java.util.Locale.ROOT), id, bytes, limit));
    }
}
