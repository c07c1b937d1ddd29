package io.skep.api.model;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Instant;

/** Object IDs as swarmkit makes them (25 lower-case base-36 characters from 128 random bits), and timestamps. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        String id = new BigInteger(1, bytes).toString(36);
        return "0".repeat(25 - id.length()) + id;
    }

    /** RFC 3339 with nanoseconds, as the Docker API writes times. */
    public static String now() {
        return Instant.now().toString();
    }
}
