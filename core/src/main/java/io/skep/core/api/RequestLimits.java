package io.skep.core.api;

/**
 * What one API request may ask, refused beyond with a 400 that names the limit. Swarm has almost none of these (its
 * replicas are a uint64, so {@code --replicas 1000000000} makes the leader create a billion tasks, then each new leader
 * in turn); each here sits far above any real use. The first three can be raised with a system property
 * ({@code -Dskep.limits.tasks=1000000}), for a swarm with the memory for it.
 */
public final class RequestLimits {
    /** Replicas of one service: as many as the whole swarm of the scale scenario (100 services of 1,000). */
    public static final long REPLICAS_PER_SERVICE = property("replicasPerService", 100_000);
    /**
     * Tasks the swarm's services ask for together (replicas of replicated services, one per node for global ones):
     * 2.5 times the 100,000 of the scale goal, whose leader held them in about 0.6 GB of heap.
     */
    public static final long TASKS = property("tasks", 250_000);
    /** Services in the swarm. */
    public static final long SERVICES = property("services", 10_000);
    /**
     * {@code Orchestration.TaskHistoryRetentionLimit}: ended tasks kept per slot (Swarm's default 5). Every slot may
     * hold this many, so the store's tasks grow with it; beyond 100, history helps nobody.
     */
    public static final long TASK_HISTORY = 100;
    /**
     * The JSON of a service spec: the service, with its previous spec, is written as one Raft entry, and every task
     * copies its template. Docker's CLI sends a few KB, a few hundred at the very most.
     */
    public static final int SPEC_BYTES = 512 * 1024;
    /** Entries of one list or map of a spec: labels, env, args, command, constraints, ports, remote addresses. */
    public static final int ENTRIES = 1_000;
    /** A name, an image, an address, a label's key, a constraint: any short string of a spec. */
    public static final int NAME_LENGTH = 4_096;
    /** A label's value, an env entry, an argument, a status message: the long strings of a spec. */
    public static final int VALUE_LENGTH = 64 * 1024;

    private RequestLimits() {}

    private static long property(String name, long otherwise) {
        String value = System.getProperty("skep.limits." + name);
        try {
            return value == null || value.isBlank() ? otherwise : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dskep.limits." + name + ": not a number: " + value);
        }
    }
}
