package io.skep.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.CipherInputStream;
import javax.crypto.CipherOutputStream;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The data encryption key (DEK) of the swarm's store: every Raft entry's payload and every snapshot a manager writes
 * is sealed with it (AES-256-GCM, a random 96-bit nonce each), so that nothing of the store — the root CA's key, join
 * tokens, the unlock key — is on disk in the clear. One key serves all the managers of a swarm, because Raft
 * replicates entries as they were sealed; it reaches a new manager over mutual TLS, and each manager keeps it on disk
 * only wrapped by its own key encryption key.
 *
 * <p>Sealed form: a format byte, the nonce, then the ciphertext and its 128-bit tag. What was sealed for one use (an
 * entry, a snapshot) does not open as another: the use is the GCM associated data.
 */
public final class DataKey {
    /** The first byte of everything sealed: the format, for the day another comes. */
    private static final byte FORMAT = 1;

    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * What a sealed blob is for; bound to it as associated data. {@code DATA_KEY}: a data key wrapped by a node's key
     * encryption key (which is an AES-256 key too, and seals through this class).
     */
    public enum Use {
        ENTRY,
        SNAPSHOT,
        DATA_KEY;

        private final byte[] aad =
                ("skep-store-" + name().toLowerCase(java.util.Locale.ROOT)).getBytes(StandardCharsets.US_ASCII);
    }

    private final SecretKeySpec key;

    private DataKey(byte[] raw) {
        if (raw.length != KEY_BYTES) {
            throw new IllegalArgumentException("a data key has " + KEY_BYTES + " bytes, not " + raw.length);
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    public static DataKey generate() {
        byte[] raw = new byte[KEY_BYTES];
        RANDOM.nextBytes(raw);
        return new DataKey(raw);
    }

    /** The key of these bytes (unwrapped by a key encryption key, or sent by a manager over mutual TLS). */
    public static DataKey of(byte[] raw) {
        return new DataKey(raw.clone());
    }

    /** The key's bytes, to wrap or to send to a new manager; never to be written anywhere as they are. */
    public byte[] raw() {
        return key.getEncoded();
    }

    public byte[] seal(byte[] plain, Use use) {
        byte[] nonce = nonce();
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, use);
            byte[] out = new byte[1 + NONCE_BYTES + cipher.getOutputSize(plain.length)];
            out[0] = FORMAT;
            System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
            cipher.doFinal(plain, 0, plain.length, out, 1 + NONCE_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e); // the JDK always has it
        }
    }

    /** @throws IllegalArgumentException when {@code sealed} was not sealed for {@code use} with this key */
    public byte[] open(byte[] sealed, Use use) {
        if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != FORMAT) {
            throw new IllegalArgumentException("not sealed with a data key");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOfRange(sealed, 1, 1 + NONCE_BYTES), use);
            return cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("sealed with another key, or altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    /** A stream that seals what is written to it into {@code out} (closing it writes the tag and closes {@code out}). */
    public OutputStream sealing(OutputStream out, Use use) throws IOException {
        byte[] nonce = nonce();
        out.write(FORMAT);
        out.write(nonce);
        try {
            return new CipherOutputStream(out, cipher(Cipher.ENCRYPT_MODE, nonce, use));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    /**
     * A stream of what {@link #sealing} sealed into {@code in}. GCM checks the tag before it releases anything, so an
     * altered or truncated stream fails with an {@link IOException} and yields nothing.
     */
    public InputStream opening(InputStream in, Use use) throws IOException {
        byte[] head = in.readNBytes(1 + NONCE_BYTES);
        if (head.length != 1 + NONCE_BYTES || head[0] != FORMAT) {
            throw new IOException("not sealed with a data key");
        }
        try {
            return new CipherInputStream(
                    in, cipher(Cipher.DECRYPT_MODE, Arrays.copyOfRange(head, 1, head.length), use));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    private static byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    private Cipher cipher(int mode, byte[] nonce, Use use) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(use.aad);
        return cipher;
    }
}
