package io.skep.core.pki;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * A swarm's unlock key, as Swarm writes it: {@code SWMKEY-1-} and 32 random bytes in unpadded base64. With autolock
 * on, it is every manager's key encryption key: it opens the manager's TLS key and the store's data key, and is never
 * written to a node's disk in the clear (the store holds it, sealed like everything else there).
 */
public final class UnlockKey {
    private static final String PREFIX = "SWMKEY-1-";
    private static final int BYTES = 32;

    private final byte[] bytes;

    private UnlockKey(byte[] bytes) {
        this.bytes = bytes;
    }

    public static UnlockKey generate(SecureRandom random) {
        byte[] b = new byte[BYTES];
        random.nextBytes(b);
        return new UnlockKey(b);
    }

    /** @throws IllegalArgumentException when {@code text} is not an unlock key */
    public static UnlockKey parse(String text) {
        String t = text == null ? "" : text.strip();
        if (!t.startsWith(PREFIX)) {
            throw new IllegalArgumentException("invalid unlock key: it starts with " + PREFIX);
        }
        byte[] b;
        try {
            b = Base64.getDecoder().decode(t.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid unlock key: not base64 after " + PREFIX);
        }
        if (b.length != BYTES) {
            throw new IllegalArgumentException("invalid unlock key: " + b.length + " bytes, not " + BYTES);
        }
        return new UnlockKey(b);
    }

    /** The key as the operator keeps it ({@code SWMKEY-1-…}). */
    public String text() {
        return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The key encryption key's bytes (AES-256). */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnlockKey other && java.security.MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Never the key itself: it must not reach a log by accident. */
    @Override
    public String toString() {
        return "UnlockKey[hidden]";
    }
}
