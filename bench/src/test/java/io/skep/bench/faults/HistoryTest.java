package io.skep.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.skep.bench.faults.History.Outcome;
import io.skep.core.store.NoQuorumException;
import org.junit.jupiter.api.Test;

/** What each answer says of the write that asked it. */
class HistoryTest {

    @Test
    void onlyA409OrA503BeforeTheWriteWasProposedIsARefusal() {
        assertEquals(Outcome.ACKNOWLEDGED, Outcome.of(200, ""));
        assertEquals(Outcome.ACKNOWLEDGED, Outcome.of(201, ""));
        assertEquals(Outcome.REFUSED, Outcome.of(409, "update out of sequence"));
        assertEquals(Outcome.REFUSED, Outcome.of(503, NoQuorumException.MESSAGE));
        // proposed, then the leader was lost: it may still take effect
        assertEquals(Outcome.INDETERMINATE, Outcome.of(503, NoQuorumException.MESSAGE + NoQuorumException.UNDER_WAY));
        assertEquals(Outcome.INDETERMINATE, Outcome.of(503, "This node is not a swarm manager."));
        assertEquals(Outcome.INDETERMINATE, Outcome.of(500, "the store could not commit"));
        assertEquals(Outcome.INDETERMINATE, Outcome.of(404, "service not found"));
    }
}
