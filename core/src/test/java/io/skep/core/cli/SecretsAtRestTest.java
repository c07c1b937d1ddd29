package io.skep.core.cli;

import static io.skep.core.cli.LocalNodes.CONVERGE;
import static io.skep.core.cli.LocalNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.api.model.Cluster;
import io.skep.core.testing.Await;
import io.skep.core.testing.Bytes;
import io.skep.core.testing.TestDaemon;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nothing secret on disk in the clear: after three autolocked managers created services, rotated join tokens and the
 * unlock key and took snapshots, no file under any manager's data directory (Raft log, snapshots, node files; gzip
 * content opened too) holds the root CA's private key, a join token's secret, an unlock key or the store's data key.
 */
class SecretsAtRestTest {
    @RegisterExtension
    final LocalNodes nodes = new LocalNodes();

    @Test
    void noManagerKeepsTheCaKeyJoinTokensUnlockKeysOrTheDataKeyInTheClear() throws Exception {
        List<TestDaemon> managers = nodes.threeManagers(nodes.node("m1"), "{\"AutoLockManagers\":true}");
        TestDaemon first = managers.get(0);
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        remember(secrets, first);
        for (int i = 0; i < 5; i++) {
            ok(
                    managers.get(i % 3),
                    "service",
                    "create",
                    "-d",
                    "--name",
                    "s" + i,
                    "--replicas",
                    "0",
                    "host",
                    "sleep",
                    "1");
        }
        ok(first, "swarm", "join-token", "--rotate", "worker");
        ok(managers.get(1), "swarm", "join-token", "--rotate", "manager");
        ok(managers.get(2), "swarm", "unlock-key", "--rotate");
        remember(secrets, first);
        for (TestDaemon m : managers) {
            Await.until(
                    CONVERGE,
                    "every manager to see the rotations",
                    () -> m.daemon().manager().memory().cluster().unlockKey.equals(cluster(first).unlockKey));
            m.daemon().manager().raft().takeSnapshot();
        }
        ok(first, "service", "create", "-d", "--name", "after-snapshots", "--replicas", "0", "host", "sleep", "1");
        for (TestDaemon m : managers) {
            Await.until(
                    CONVERGE,
                    "every manager to re-encrypt its key under the new unlock key",
                    () -> !Files.exists(m.dataDir().resolve("certificates").resolve("swarm-node.kek"))
                            && Files.readString(
                                            m.dataDir().resolve("certificates").resolve("swarm-node.key"))
                                    .contains("ENCRYPTED PRIVATE KEY"));
        }
        for (TestDaemon m : managers) {
            m.stop(); // everything flushed, as a stolen disk would hold it
        }

        for (TestDaemon m : managers) {
            Path data = m.dataDir();
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
            List<Path> files;
            try (Stream<Path> walk = Files.walk(data)) {
                files = walk.filter(Files::isRegularFile).toList();
            }
            assertTrue(
                    files.stream().anyMatch(f -> f.getFileName().toString().startsWith("log_")),
                    "a Raft log: " + files);
            assertTrue(
                    files.stream().anyMatch(f -> f.getFileName().toString().matches("snapshot\\.\\d+_\\d+")),
                    "a snapshot: " + files);
            for (Path f : files) {
                for (byte[] content : contents(f)) {
                    secrets.forEach((what, bytes) ->
                            assertTrue(!Bytes.contains(content, bytes), f + " holds " + what + " in the clear"));
                }
                if (f.startsWith(data.resolve("certificates").toRealPath())
                        || f.getParent().equals(data)
                        || f.getFileName().toString().startsWith("snapshot.")) {
                    assertEquals(
                            "rw-------",
                            PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
                            f + " is the owner's alone");
                }
            }
        }
    }

    private static Cluster cluster(TestDaemon m) {
        return m.daemon().manager().memory().cluster();
    }

    /** The swarm's secrets as they are now, each in the forms a careless write would leave. */
    private static void remember(Map<String, byte[]> secrets, TestDaemon m) {
        Cluster c = cluster(m);
        String caBody = c.rootCa.caKey.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        secrets.put("the root CA's key (PEM)", caBody.substring(0, 40).getBytes(StandardCharsets.US_ASCII));
        byte[] der = Base64.getDecoder().decode(caBody);
        secrets.put("the root CA's key (DER)", java.util.Arrays.copyOfRange(der, der.length - 40, der.length));
        c.joinTokens.forEach((role, token) -> secrets.put(
                "the " + role + " join token's secret " + token,
                token.substring(token.lastIndexOf('-') + 1).getBytes(StandardCharsets.US_ASCII)));
        secrets.put("the unlock key " + c.unlockKey, c.unlockKey.getBytes(StandardCharsets.US_ASCII));
        secrets.put(
                "the unlock key's bytes",
                io.skep.core.pki.UnlockKey.parse(c.unlockKey).bytes());
        byte[] dataKey = m.daemon().manager().raft().dataKey().raw();
        secrets.put("the data key", dataKey);
        secrets.put(
                "the data key (base64)",
                Base64.getEncoder().encodeToString(dataKey).getBytes(StandardCharsets.US_ASCII));
    }

    /** A file's bytes, and what they hold if they are gzip. */
    private static List<byte[]> contents(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        byte[] bytes = Files.readAllBytes(file);
        out.add(bytes);
        if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                out.add(in.readAllBytes());
            } catch (IOException notGzipAfterAll) {
                // bytes that only looked like gzip
            }
        }
        return out;
    }
}
