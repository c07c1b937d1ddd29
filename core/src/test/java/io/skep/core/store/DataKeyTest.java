package io.skep.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.skep.core.testing.Bytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The store's data key: what it seals opens with it alone, for the use it was sealed for, unaltered. */
class DataKeyTest {
    private static final byte[] SECRET = "{\"CAKey\":\"-----BEGIN PRIVATE KEY-----\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void whatItSealsOpensWithItAloneForItsUseAndHidesThePlaintext() {
        DataKey key = DataKey.generate();
        byte[] sealed = key.seal(SECRET, DataKey.Use.ENTRY);
        assertFalse(
                Bytes.contains(sealed, "BEGIN PRIVATE KEY".getBytes(StandardCharsets.UTF_8)), "sealed, nothing shows");
        assertFalse(Arrays.equals(sealed, key.seal(SECRET, DataKey.Use.ENTRY)), "a new nonce each time");
        assertArrayEquals(SECRET, key.open(sealed, DataKey.Use.ENTRY));
        assertArrayEquals(SECRET, DataKey.of(key.raw()).open(sealed, DataKey.Use.ENTRY), "the same key's bytes");

        assertThrows(IllegalArgumentException.class, () -> DataKey.generate().open(sealed, DataKey.Use.ENTRY));
        assertThrows(IllegalArgumentException.class, () -> key.open(sealed, DataKey.Use.SNAPSHOT));
        byte[] altered = sealed.clone();
        altered[altered.length - 20] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> key.open(altered, DataKey.Use.ENTRY));
        assertThrows(IllegalArgumentException.class, () -> key.open(SECRET, DataKey.Use.ENTRY), "never sealed");
    }

    @Test
    void aSealedStreamOpensWholeAndAnAlteredOrCutOneYieldsNothing() throws IOException {
        DataKey key = DataKey.generate();
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(large);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (OutputStream out = key.sealing(file, DataKey.Use.SNAPSHOT)) {
            out.write(large);
        }
        byte[] sealed = file.toByteArray();
        try (InputStream in = key.opening(new ByteArrayInputStream(sealed), DataKey.Use.SNAPSHOT)) {
            assertArrayEquals(large, in.readAllBytes());
        }

        byte[] cut = Arrays.copyOf(sealed, sealed.length - 1);
        assertThrows(IOException.class, () -> {
            try (InputStream in = key.opening(new ByteArrayInputStream(cut), DataKey.Use.SNAPSHOT)) {
                in.readAllBytes();
            }
        });
        byte[] altered = sealed.clone();
        altered[1000] ^= 1;
        assertThrows(IOException.class, () -> {
            try (InputStream in = key.opening(new ByteArrayInputStream(altered), DataKey.Use.SNAPSHOT)) {
                in.readAllBytes();
            }
        });
        assertEquals(32, key.raw().length);
    }
}
