package io.skep.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.skep.client.DaemonClient;
import io.skep.core.node.Daemon;
import io.skep.core.node.DaemonConfig;
import java.io.IOException;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control API's unix socket: at its path only ever with its mode and group (0660 and {@code --group}'s, 0600
 * without a group), usable by that group and nobody else.
 */
class ControlSocketTest {
    /** A group every Linux has, that this test's user is root enough to give a file to. */
    private static final String GROUP = "daemon";

    @TempDir
    Path dir;

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static PosixFileAttributes attributes(Path file) throws IOException {
        return Files.readAttributes(file, PosixFileAttributes.class);
    }

    @Test
    void theSocketComesToItsPathOnlyOnceItHasItsModeAndGroup() throws Exception {
        Path socket = dir.resolve("skep.sock");
        Files.writeString(socket, "a stale socket of a killed daemon");
        List<String> seenWhileBound = new ArrayList<>();
        Channel channel = UnixSocketBinder.bind(socket, GROUP, where -> {
            Channel bound = new ServerBootstrap()
                    .group(loop)
                    .channel(NioServerDomainSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(UnixDomainSocketAddress.of(where))
                    .sync()
                    .channel();
            // The moment the socket exists: where is it, and who could reach it?
            seenWhileBound.add(Files.readString(socket));
            seenWhileBound.add(
                    PosixFilePermissions.toString(attributes(where.getParent()).permissions()));
            seenWhileBound.add(String.valueOf(where.startsWith(dir)));
            return bound;
        });
        open.add(() -> channel.close().sync());
        assertEquals(
                List.of("a stale socket of a killed daemon", "rwx------", "true"),
                seenWhileBound,
                "bound beside its path, in a folder only its owner may enter; the path still the old file");
        PosixFileAttributes socketAttributes = attributes(socket);
        assertTrue(socketAttributes.isOther(), "a socket");
        assertEquals("rw-rw----", PosixFilePermissions.toString(socketAttributes.permissions()));
        assertEquals(GROUP, socketAttributes.group().getName());
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertTrue(client.isConnected(), "the socket answers at its path");
        }
        try (var left = Files.list(dir)) {
            assertEquals(List.of(socket), left.toList(), "nothing left beside it");
        }
    }

    @Test
    void aDaemonsSocketIsItsGroupsAndNobodyElses() throws Exception {
        Path socket = dir.resolve("run/skep.sock");
        start(socket, GROUP);
        PosixFileAttributes attributes = attributes(socket);
        assertEquals("rw-rw----", PosixFilePermissions.toString(attributes.permissions()));
        assertEquals(GROUP, attributes.group().getName());
        try (DaemonClient client = new DaemonClient("unix://" + socket)) {
            assertEquals(200, client.get("/_ping").status());
        }

        // Another user: in the group, it gets in; outside it, its connect(2) is refused.
        assumeTrue(
                "root".equals(System.getProperty("user.name"))
                        && Files.isExecutable(Path.of("/usr/bin/curl"))
                        && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root, setpriv and curl");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // a path anyone may walk
        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals("OK", asNobody(socket, true));
        assertEquals("exit 7", asNobody(socket, false), "curl: couldn't connect (permission denied)");
    }

    @Test
    void withoutAGroupOnlyTheDaemonsUserMayUseIt() throws Exception {
        Path socket = dir.resolve("skep.sock");
        start(socket, "");
        PosixFileAttributes attributes = attributes(socket);
        assertEquals("rw-------", PosixFilePermissions.toString(attributes.permissions()));

        // No --group: skep's group where it exists (as dockerd's docker group), else none.
        Path byDefault = dir.resolve("default.sock");
        start(byDefault, null);
        boolean skepGroup = UnixSocketBinder.group(null).isPresent();
        assertEquals(
                skepGroup ? "rw-rw----" : "rw-------",
                PosixFilePermissions.toString(attributes(byDefault).permissions()));
    }

    @Test
    void aGroupThatDoesNotExistIsAStartError() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> start(dir.resolve("skep.sock"), "no-such-group-here"));
        assertEquals(
                "--group no-such-group-here: no such group; create it (groupadd no-such-group-here) or leave "
                        + "--group out, and only the daemon's user may use the socket",
                e.getMessage());
        assertTrue(Files.notExists(dir.resolve("skep.sock")));
    }

    private void start(Path socket, String group) throws Exception {
        Daemon daemon = Daemon.start(new DaemonConfig(
                dir.resolve("data-" + socket.getFileName()),
                List.of(URI.create("unix://" + socket)),
                null,
                0,
                "127.0.0.1:0",
                null,
                Map.of(),
                new ControlAccess(null, group)));
        open.add(daemon);
    }

    /** {@code curl /_ping} on the socket as user nobody, in group {@value #GROUP} or in none: its output. */
    private static String asNobody(Path socket, boolean inGroup) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup"));
        command.add(inGroup ? "--groups=" + GROUP : "--clear-groups");
        command.addAll(List.of("/usr/bin/curl", "-s", "--unix-socket", socket.toString(), "http://localhost/_ping"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue() == 0 ? out : "exit " + p.exitValue();
    }
}
