package io.skep.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.NodeRole;
import io.skep.core.pki.RootCa;
import io.skep.core.pki.UnlockKey;
import io.skep.core.store.DataKey;
import io.skep.core.testing.Bytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's keys on disk: replaced as one, the owner's alone, and under the unlock key while autolocked. */
class NodeKeysTest {
    @TempDir
    Path dataDir;

    private final SecureRandom random = new SecureRandom();
    private RootCa ca;
    private NodeCertificate first;
    private NodeCertificate second;

    @BeforeEach
    void certificates() {
        ca = RootCa.create(random, Instant.now());
        first = ca.issue("node1", NodeRole.MANAGER, "cluster", Duration.ofDays(1), random, Instant.now());
        second = ca.issue("node1", NodeRole.MANAGER, "cluster", Duration.ofDays(1), random, Instant.now());
    }

    @Test
    void aManagersKeysComeBackWithTheDataKeyWrappedByAKeyBesideThemAndOnlyTheOwnerReadsThem() throws Exception {
        DataKey dataKey = DataKey.generate();
        NodeKeys.write(dataDir, new NodeKeys.Keys(first, ca.certificatePem(), dataKey, null));

        assertFalse(NodeKeys.locked(dataDir));
        NodeKeys.Keys read = NodeKeys.read(dataDir);
        assertEquals(first.certificate(), read.certificate().certificate());
        assertEquals(first.key(), read.certificate().key());
        assertArrayEquals(dataKey.raw(), read.dataKey().raw());
        assertNull(read.unlockKey());

        Path folder = dataDir.resolve("certificates").toRealPath();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                assertEquals(
                        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
                assertFalse(Bytes.contains(Files.readAllBytes(f), dataKey.raw()), f + " holds the data key");
            }
        }
    }

    @Test
    void autolockedKeysOpenWithTheUnlockKeyAloneAndAWrongKeyIsTold() throws Exception {
        DataKey dataKey = DataKey.generate();
        UnlockKey unlockKey = UnlockKey.generate(random);
        NodeKeys.write(dataDir, new NodeKeys.Keys(first, ca.certificatePem(), dataKey, unlockKey));

        assertTrue(NodeKeys.locked(dataDir));
        assertThrows(NodeKeys.LockedException.class, () -> NodeKeys.read(dataDir));
        assertThrows(NodeKeys.WrongKeyException.class, () -> NodeKeys.unlock(dataDir, UnlockKey.generate(random)));
        NodeKeys.Keys opened = NodeKeys.unlock(dataDir, unlockKey);
        assertEquals(first.key(), opened.certificate().key());
        assertArrayEquals(dataKey.raw(), opened.dataKey().raw());
        assertEquals(unlockKey, opened.unlockKey());

        Path folder = dataDir.resolve("certificates").toRealPath();
        assertFalse(Files.exists(folder.resolve("swarm-node.kek")), "no key encryption key is stored");
        assertTrue(Files.readString(folder.resolve("swarm-node.key")).contains("ENCRYPTED PRIVATE KEY"));
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                assertFalse(Bytes.contains(Files.readAllBytes(f), unlockKey.bytes()), f + " holds the unlock key");
                assertFalse(new String(Files.readAllBytes(f)).contains(unlockKey.text()), f + " holds the unlock key");
            }
        }

        // autolock off again: the key is kept in the clear for the owner, the data key under a key beside it
        NodeKeys.write(dataDir, opened.withUnlockKey(null));
        assertFalse(NodeKeys.locked(dataDir));
        assertArrayEquals(dataKey.raw(), NodeKeys.read(dataDir).dataKey().raw());
    }

    @Test
    void aNewSetReplacesTheOldAsOneAndACrashMidWayLeavesOneWholeSet() throws Exception {
        NodeKeys.write(dataDir, new NodeKeys.Keys(first, ca.certificatePem(), null, null));
        NodeKeys.write(dataDir, new NodeKeys.Keys(second, ca.certificatePem(), null, null));
        assertEquals(second.key(), NodeKeys.read(dataDir).certificate().key());
        assertEquals(List.of("certificates", "certificates.2"), folders());

        // A write that crashed before its switch left a partial folder: the old set is read, whole.
        Path partial = Files.createDirectory(dataDir.resolve("certificates.3.tmp"));
        Files.writeString(partial.resolve("swarm-node.key"), first.keyPem());
        NodeKeys.Keys read = NodeKeys.read(dataDir);
        assertEquals(second.key(), read.certificate().key());
        assertEquals(second.certificate(), read.certificate().certificate());

        // A crash between the new folder's rename and the link's: the newest whole set is read.
        Files.delete(dataDir.resolve("certificates"));
        assertEquals(second.key(), NodeKeys.read(dataDir).certificate().key());
        NodeKeys.write(dataDir, new NodeKeys.Keys(first, ca.certificatePem(), null, null));
        assertEquals(first.key(), NodeKeys.read(dataDir).certificate().key());
        assertEquals(List.of("certificates", "certificates.4"), folders(), "the partial folder is gone too");

        NodeKeys.delete(dataDir);
        assertFalse(NodeKeys.exist(dataDir));
        assertEquals(List.of(), folders());
    }

    private List<String> folders() throws Exception {
        try (Stream<Path> files = Files.list(dataDir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("certificates"))
                    .sorted()
                    .toList();
        }
    }
}
