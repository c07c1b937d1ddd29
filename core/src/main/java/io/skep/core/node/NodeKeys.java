package io.skep.core.node;

import io.skep.core.fs.DurableFiles;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.RootCa;
import io.skep.core.pki.UnlockKey;
import io.skep.core.store.DataKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A node's keys in its data directory, replaced as one set: its certificate and private key, the swarm's root CA
 * certificate and, on a manager, the store's data key (DEK) wrapped by the node's key encryption key (KEK). Without
 * autolock the KEK is a random key in a file beside them; with autolock it is the swarm's unlock key, never stored,
 * and the private key is encrypted under it too: a restarted manager then waits for {@code swarm unlock}.
 *
 * <p>{@code certificates} is a link to {@code certificates.N/}, which holds {@code swarm-node.crt},
 * {@code swarm-node.key}, {@code swarm-root-ca.crt} (Swarm's names) and a manager's {@code swarm-raft.dek} and
 * {@code swarm-node.kek}. A new set goes to a new folder, synced, and the link is switched to it by one rename: a crash
 * leaves the old set or the new one, so a key never goes with another key's certificate. Everything is the owner's
 * alone.
 */
final class NodeKeys {
    private static final String LINK = "certificates";
    private static final String CERTIFICATE = "swarm-node.crt";
    private static final String KEY = "swarm-node.key";
    private static final String ROOT_CA = "swarm-root-ca.crt";
    private static final String DATA_KEY = "swarm-raft.dek";
    private static final String KEY_ENCRYPTION_KEY = "swarm-node.kek";
    private static final int KEK_BYTES = 32;

    /**
     * A node's keys.
     *
     * @param dataKey   the store's data key: a manager's, null on a worker
     * @param unlockKey the swarm's unlock key while it is autolocked (a manager's), else null
     */
    record Keys(NodeCertificate certificate, String rootCaPem, DataKey dataKey, UnlockKey unlockKey) {
        Keys withCertificate(NodeCertificate next, String nextRootCaPem) {
            return new Keys(next, nextRootCaPem, dataKey, unlockKey);
        }

        Keys withUnlockKey(UnlockKey next) {
            return new Keys(certificate, rootCaPem, dataKey, next);
        }

        /** The root CAs this node trusts (two during a root rotation). */
        List<java.security.cert.X509Certificate> roots() {
            return RootCa.certificatesOf(rootCaPem);
        }
    }

    /** The keys are encrypted under the swarm's unlock key: {@link #unlock} opens them. */
    static final class LockedException extends Exception {
        LockedException() {
            super("the node's keys are encrypted under the swarm's unlock key");
        }
    }

    /** The unlock key given is not the one the keys are encrypted under. */
    static final class WrongKeyException extends Exception {
        WrongKeyException() {
            super("swarm could not be unlocked: invalid key provided");
        }
    }

    private NodeKeys() {}

    /** Whether this node keeps keys (it is in a swarm). */
    static boolean exist(Path dataDir) throws IOException {
        return folder(dataDir) != null;
    }

    /** Whether the keys need the unlock key. */
    static boolean locked(Path dataDir) throws IOException {
        Path folder = require(dataDir);
        return NodeCertificate.isEncrypted(Files.readString(folder.resolve(KEY)));
    }

    /** The keys of a node whose swarm is not autolocked. */
    static Keys read(Path dataDir) throws IOException, LockedException {
        Path folder = require(dataDir);
        String keyPem = Files.readString(folder.resolve(KEY));
        if (NodeCertificate.isEncrypted(keyPem)) {
            throw new LockedException();
        }
        DataKey dataKey = null;
        if (Files.exists(folder.resolve(DATA_KEY))) {
            byte[] kek = Base64.getDecoder()
                    .decode(Files.readString(folder.resolve(KEY_ENCRYPTION_KEY)).strip());
            dataKey = unwrap(folder, kek);
            if (dataKey == null) {
                throw new IOException("the data key in " + folder + " does not open with the key beside it");
            }
        }
        return new Keys(
                NodeCertificate.fromPem(Files.readString(folder.resolve(CERTIFICATE)), keyPem),
                Files.readString(folder.resolve(ROOT_CA)),
                dataKey,
                null);
    }

    /** The keys of an autolocked manager, opened with the unlock key. */
    static Keys unlock(Path dataDir, UnlockKey unlockKey) throws IOException, WrongKeyException {
        Path folder = require(dataDir);
        // The data key's seal is authenticated: it tells a wrong key for certain, before anything else is tried.
        DataKey dataKey = Files.exists(folder.resolve(DATA_KEY)) ? unwrap(folder, unlockKey.bytes()) : null;
        if (dataKey == null) {
            throw new WrongKeyException();
        }
        NodeCertificate certificate;
        try {
            certificate = NodeCertificate.fromPem(
                    Files.readString(folder.resolve(CERTIFICATE)), Files.readString(folder.resolve(KEY)), unlockKey);
        } catch (IllegalArgumentException e) {
            throw new WrongKeyException();
        }
        return new Keys(certificate, Files.readString(folder.resolve(ROOT_CA)), dataKey, unlockKey);
    }

    /** Replaces the node's keys with {@code keys}, as one. */
    static void write(Path dataDir, Keys keys) throws IOException {
        int generation = generations(dataDir).stream()
                        .mapToInt(NodeKeys::generation)
                        .max()
                        .orElse(0)
                + 1;
        Path next = dataDir.resolve(LINK + "." + generation);
        Path tmp = dataDir.resolve(LINK + "." + generation + ".tmp");
        Swarm.deleteTree(tmp);
        Files.createDirectory(tmp, DurableFiles.OWNER_FOLDER);
        NodeCertificate c = keys.certificate();
        write(tmp.resolve(CERTIFICATE), c.certificatePem());
        write(tmp.resolve(ROOT_CA), keys.rootCaPem());
        write(tmp.resolve(KEY), keys.unlockKey() == null ? c.keyPem() : c.keyPem(keys.unlockKey()));
        if (keys.dataKey() != null) {
            byte[] kek;
            if (keys.unlockKey() == null) {
                kek = new byte[KEK_BYTES];
                new SecureRandom().nextBytes(kek);
                write(tmp.resolve(KEY_ENCRYPTION_KEY), Base64.getEncoder().encodeToString(kek));
            } else {
                kek = keys.unlockKey().bytes();
            }
            write(
                    tmp.resolve(DATA_KEY),
                    Base64.getEncoder()
                            .encodeToString(DataKey.of(kek).seal(keys.dataKey().raw(), DataKey.Use.DATA_KEY)));
        }
        DurableFiles.syncFolder(tmp);
        DurableFiles.moveDurably(tmp, next);

        Path link = dataDir.resolve(LINK);
        if (Files.isDirectory(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // A folder of an older skep: set aside (reads find the newest set while no link is there), then removed.
            Files.move(link, dataDir.resolve(LINK + ".0"));
        }
        Path newLink = dataDir.resolve(LINK + ".link");
        Files.deleteIfExists(newLink);
        Files.createSymbolicLink(newLink, next.getFileName());
        DurableFiles.moveDurably(newLink, link);
        for (Path old : generations(dataDir)) {
            if (!old.equals(next)) {
                Swarm.deleteTree(old);
            }
        }
    }

    /** Removes the node's keys (it left its swarm). */
    static void delete(Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve(LINK));
        Files.deleteIfExists(dataDir.resolve(LINK + ".link"));
        for (Path old : generations(dataDir)) {
            Swarm.deleteTree(old);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(Files.createFile(file, DurableFiles.OWNER_FILE), text, StandardCharsets.US_ASCII);
        DurableFiles.sync(file);
    }

    /** The data key sealed in {@code folder}, or null when {@code kek} does not open it. */
    private static DataKey unwrap(Path folder, byte[] kek) throws IOException {
        byte[] sealed = Base64.getDecoder()
                .decode(Files.readString(folder.resolve(DATA_KEY)).strip());
        try {
            return DataKey.of(DataKey.of(kek).open(sealed, DataKey.Use.DATA_KEY));
        } catch (IllegalArgumentException wrongKey) {
            return null;
        }
    }

    private static Path require(Path dataDir) throws IOException {
        Path folder = folder(dataDir);
        if (folder == null) {
            throw new IOException("no node keys in " + dataDir);
        }
        return folder;
    }

    /** The current set: where the link points, else (a crash between two renames) the newest whole set. */
    private static Path folder(Path dataDir) throws IOException {
        Path link = dataDir.resolve(LINK);
        if (Files.isDirectory(link)) {
            return link;
        }
        return generations(dataDir).stream()
                .filter(p -> !p.getFileName().toString().endsWith(".tmp"))
                .max(Comparator.comparingInt(NodeKeys::generation))
                .orElse(null);
    }

    /** Every {@code certificates.N} and {@code certificates.N.tmp} folder. */
    private static List<Path> generations(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dataDir)) {
            return files.filter(p ->
                            p.getFileName().toString().matches(java.util.regex.Pattern.quote(LINK) + "\\.\\d+(\\.tmp)?")
                                    && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .toList();
        }
    }

    private static int generation(Path folder) {
        return Integer.parseInt(folder.getFileName().toString().split("\\.")[1]);
    }
}
