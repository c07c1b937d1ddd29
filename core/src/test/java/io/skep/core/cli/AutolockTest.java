package io.skep.core.cli;

import static io.skep.core.cli.LocalNodes.CONVERGE;
import static io.skep.core.cli.LocalNodes.ok;
import static io.skep.core.cli.LocalNodes.skep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.UnlockKey;
import io.skep.core.testing.Await;
import io.skep.core.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Autolock as an operator meets it: {@code swarm init --autolock} prints the unlock key; a restarted manager answers
 * every call but unlock (and info) with Swarm's locked message until {@code swarm unlock} is given the key; a rotated
 * key takes over; autolock off needs no key.
 */
class AutolockTest {
    private static final String LOCKED = "Swarm is encrypted and needs to be unlocked before it can be used. "
            + "Please use \"docker swarm unlock\" to unlock it.";
    private static final Pattern KEY = Pattern.compile("SWMKEY-1-[A-Za-z0-9+/]{43}");

    @RegisterExtension
    final LocalNodes nodes = new LocalNodes();

    @Test
    void aRestartedManagerServesNothingButUnlockUntilItIsGivenItsKeyAndThenHasItsState() throws Exception {
        TestDaemon m = nodes.node("m1");
        String init = ok(m, "swarm", "init", "--autolock");
        assertTrue(init.contains("To unlock a swarm manager after it restarts, run the `skep swarm unlock`"), init);
        String key = key(init);
        assertEquals(key, ok(m, "swarm", "unlock-key", "-q").strip());
        nodes.manager = m;
        ok(m, "service", "create", "-d", "--name", "kept", "--replicas", "0", "host", "sleep", "1");

        m.stop();
        m.start();
        for (List<String> call : List.of(
                List.of("node", "ls"),
                List.of("service", "ls"),
                List.of("swarm", "join-token", "worker"),
                List.of("swarm", "unlock-key"),
                List.of("swarm", "init", "--force-new-cluster"))) {
            Skep.Result r = skep(m, call.toArray(String[]::new));
            assertEquals(1, r.code(), call.toString());
            assertTrue(r.err().contains(LOCKED), call + ": " + r.err());
        }
        assertEquals(
                "locked", ok(m, "info", "--format", "{{.Swarm.LocalNodeState}}").strip());
        Skep.Result leave = skep(m, "swarm", "leave");
        assertTrue(
                leave.err().contains("Swarm is encrypted and locked. Please unlock it first or use `--force`"),
                leave.err());

        Skep.Result wrong = unlock(m, UnlockKey.generate(new SecureRandom()).text());
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("swarm could not be unlocked: invalid key provided"), wrong.err());
        assertTrue(unlock(m, "not a key").err().contains("swarm could not be unlocked: invalid key provided"));
        assertEquals(
                "locked", ok(m, "info", "--format", "{{.Swarm.LocalNodeState}}").strip());

        Skep.Result right = unlock(m, key + "\n");
        assertEquals(0, right.code(), right.err());
        Await.until(
                CONVERGE,
                "the service, after the unlock",
                () -> ok(m, "service", "ls", "--format", "{{.Name}}").strip().equals("kept"));
        Skep.Result again = unlock(m, key);
        assertTrue(again.err().contains("swarm is not locked"), again.err());
    }

    @Test
    void aRotatedKeyTakesOverAtTheNextRestartAndWithAutolockOffNoKeyIsNeeded() throws Exception {
        TestDaemon m = nodes.initManager("m1");
        Skep.Result none = skep(m, "swarm", "unlock-key");
        assertTrue(none.err().contains("no unlock key is set"), none.err());
        String on = ok(m, "swarm", "update", "--autolock=true");
        assertTrue(on.startsWith("Swarm updated.\nTo unlock a swarm manager"), on);
        String first = key(on);
        awaitKeysUnder(m, first);

        String rotated = ok(m, "swarm", "unlock-key", "--rotate");
        assertTrue(rotated.startsWith("Successfully rotated manager unlock key.\n\n"), rotated);
        String second = key(rotated);
        assertNotEquals(first, second);
        awaitKeysUnder(m, second);

        m.stop();
        m.start();
        assertTrue(unlock(m, first).err().contains("invalid key provided"), "the rotated-away key opens nothing");
        assertEquals(0, unlock(m, second).code());
        Await.until(CONVERGE, "the manager back", () -> skep(m, "node", "ls").code() == 0);

        assertEquals("Swarm updated.\n", ok(m, "swarm", "update", "--autolock=false"));
        Await.until(
                CONVERGE,
                "the keys kept without the unlock key",
                () -> !keyPem(m).contains("ENCRYPTED"));
        m.stop();
        m.start();
        assertEquals(
                "active", ok(m, "info", "--format", "{{.Swarm.LocalNodeState}}").strip());
        assertEquals(0, skep(m, "node", "ls").code());
    }

    private static Skep.Result unlock(TestDaemon on, String key) {
        return Skep.withInput(on.host(), Map.of(), key, "swarm", "unlock");
    }

    private static String key(String output) {
        Matcher m = KEY.matcher(output);
        assertTrue(m.find(), "an unlock key in: " + output);
        return m.group();
    }

    /** Waits until the manager's key file is encrypted under {@code key} (it follows the swarm's setting). */
    private static void awaitKeysUnder(TestDaemon m, String key) {
        Await.until(CONVERGE, "the node's key encrypted under the swarm's unlock key", () -> {
            Path certificates = m.dataDir().resolve("certificates");
            NodeCertificate.fromPem(
                    Files.readString(certificates.resolve("swarm-node.crt")), keyPem(m), UnlockKey.parse(key));
            return true;
        });
    }

    private static String keyPem(TestDaemon m) throws java.io.IOException {
        return Files.readString(m.dataDir().resolve("certificates").resolve("swarm-node.key"));
    }
}
