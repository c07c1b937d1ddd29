package io.skep.core.api;

import java.time.Duration;

/**
 * What one connection to an {@link ApiServer} may take: the size of a request's body, the time to send a request and
 * to read an answer, and how many connections one address and everyone together may hold open.
 *
 * <p>The time a route takes to answer is not bounded here (a write waits for Raft; the dispatcher's fetch of
 * assignments is a long poll; a streamed answer may last as long as it has something to say): the timers run only
 * while the server waits on the client.
 *
 * @param bodyBeforeAuthentication the largest body of a client of the cluster port that showed no certificate: a node
 *                                 that has none yet may only fetch the root CA and join (a join request is a few KB:
 *                                 its token, a certificate request, its description)
 * @param body                     the largest body of anyone else: the control API's clients (Docker's CLI sends a
 *                                 service spec of at most a few hundred KB) and nodes with a certificate (a status
 *                                 batch is at most {@code RemoteDispatcher}'s 1,000 tasks, a certificate request
 *                                 half a KB)
 * @param idle                     how long a connection may stay open with no request under way (a client's pool
 *                                 keeps connections between calls; the JDK's drops them after 30 s)
 * @param request                  how long a request may take to arrive whole, from its first byte (slowloris)
 * @param write                    how long one write of an answer may wait on a client that does not read
 * @param connectionsPerPeer       open connections from one remote address (TCP listeners)
 * @param connections              open connections to this server, all listeners together
 */
public record ListenerLimits(
        long bodyBeforeAuthentication,
        long body,
        Duration idle,
        Duration request,
        Duration write,
        int connectionsPerPeer,
        int connections) {

    /** The system property prefix of each limit: {@code -Dskep.api.connectionsPerPeer=4096}. */
    static final String PROPERTY_PREFIX = "skep.api.";

    public static final long KIB = 1024;
    public static final long MIB = 1024 * KIB;

    /**
     * The defaults. 64 KiB before authentication: a join request is a few KB. 4 MiB otherwise: ten times the largest
     * service spec Docker's CLI sends, and far more than a status batch. A minute idle (above the JDK client's 30 s
     * keep-alive, so that a client's pool closes first) and a minute to send a request. 64 connections from one
     * address: a node holds 2 or 3 (its long poll of assignments, its heartbeats and status, a join or a renewal),
     * which leaves room for a few dozen nodes behind one NAT address; 10,000 in all, a few per node of a large swarm.
     */
    public static final ListenerLimits DEFAULTS = new ListenerLimits(
            64 * KIB, 4 * MIB, Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60), 64, 10_000);

    public ListenerLimits {
        if (bodyBeforeAuthentication < 0
                || body < 0
                || connectionsPerPeer < 1
                || connections < 1
                || idle.isNegative()
                || idle.isZero()
                || request.isNegative()
                || request.isZero()
                || write.isNegative()
                || write.isZero()) {
            throw new IllegalArgumentException("invalid listener limits: " + this);
        }
        if (body > Integer.MAX_VALUE || bodyBeforeAuthentication > body) {
            throw new IllegalArgumentException("invalid listener limits: a body is at most 2 GiB, and the cap before "
                    + "authentication at most the other: " + this);
        }
    }

    /**
     * The defaults, each overridden by its system property when set ({@code skep.api.bodyBeforeAuthentication},
     * {@code body} in bytes; {@code idle}, {@code request}, {@code write} in milliseconds;
     * {@code connectionsPerPeer}, {@code connections}), e.g. for the scale benchmark, whose thousand simulated
     * workers all come from 127.0.0.1.
     */
    public static ListenerLimits fromSystemProperties() {
        ListenerLimits d = DEFAULTS;
        return new ListenerLimits(
                number("bodyBeforeAuthentication", d.bodyBeforeAuthentication()),
                number("body", d.body()),
                Duration.ofMillis(number("idle", d.idle().toMillis())),
                Duration.ofMillis(number("request", d.request().toMillis())),
                Duration.ofMillis(number("write", d.write().toMillis())),
                (int) number("connectionsPerPeer", d.connectionsPerPeer()),
                (int) number("connections", d.connections()));
    }

    private static long number(String name, long otherwise) {
        String value = System.getProperty(PROPERTY_PREFIX + name);
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY_PREFIX + name + ": not a number: " + value);
        }
    }

    /** A size in the words of a refusal: {@code 64 KiB}, {@code 4 MiB}, {@code 100 bytes}. */
    static String size(long bytes) {
        if (bytes >= MIB && bytes % MIB == 0) {
            return bytes / MIB + " MiB";
        }
        if (bytes >= KIB && bytes % KIB == 0) {
            return bytes / KIB + " KiB";
        }
        return bytes + " bytes";
    }
}
