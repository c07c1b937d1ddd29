package io.skep.bench.scale;

import java.time.Duration;
import java.util.List;

/** The simulated workers, each a member of the swarm with its own dispatcher session. */
interface Fleet extends AutoCloseable {

    /** Opens every member's session with the manager; returns once all are open. */
    void open(List<Joining.Member> members, Duration timeout) throws Exception;

    /** Tasks the workers have received with running as desired state (each counted once: assigned, dispatched). */
    long delivered();

    /** Tasks whose running status the manager took (answered 204); -1 when this fleet cannot tell. */
    long reported();

    /** What went over the wire (task sets fetched, their size, status reports), in a line; null when not counted. */
    String traffic();

    /** Calls that failed (a retry follows), and the first failure's words. */
    String errors();

    /** How the workers are simulated, in a few words. */
    String describe();

    @Override
    void close();
}
