package io.skep.core.pki;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A join token, Swarm's format: {@code SWMTKN-1-<root CA digest>-<secret>}, the digest 50 base-36 digits, the
 * secret 25 (128 random bits). The digest lets a joining node check the CA of the swarm it reaches; the secret
 * (one per role) lets the swarm admit it.
 */
public record JoinToken(String caDigest, String secret) {
    static final int DIGEST_LENGTH = 50;
    static final int SECRET_LENGTH = 25;
    private static final Pattern FORMAT =
            Pattern.compile("SWMTKN-1-([0-9a-z]{" + DIGEST_LENGTH + "})-([0-9a-z]{" + SECRET_LENGTH + "})");

    /** A new token for a swarm whose root CA is {@code ca}. */
    public static JoinToken generate(RootCa ca, SecureRandom random) {
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        return new JoinToken(ca.digest(), RootCa.base36(new BigInteger(1, secret), SECRET_LENGTH));
    }

    /** Reads a token, with Swarm's error for one of the wrong shape. */
    public static JoinToken parse(String token) {
        Matcher m = FORMAT.matcher(token == null ? "" : token.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid join token");
        }
        return new JoinToken(m.group(1), m.group(2));
    }

    /** Whether the token was made for the swarm whose root CA is {@code ca}. */
    public boolean trusts(RootCa ca) {
        return caDigest.equals(ca.digest());
    }

    /** Whether {@code other} is this very token, compared in constant time (it is a secret). */
    public boolean sameAs(JoinToken other) {
        return other != null
                && MessageDigest.isEqual(
                        toString().getBytes(StandardCharsets.US_ASCII),
                        other.toString().getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "SWMTKN-1-" + caDigest + "-" + secret;
    }
}
