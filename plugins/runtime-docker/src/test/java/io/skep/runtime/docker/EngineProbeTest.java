package io.skep.runtime.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.runtime.Availability;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The probe's answers where no engine answers: quick, bounded, with a reason. Needs no engine. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class EngineProbeTest {

    @TempDir
    Path dir;

    @Test
    void aMissingSocketIsToldAtOnce() {
        String host = "unix://" + dir.resolve("docker.sock");
        Availability a = Engine.probe(host, Duration.ofSeconds(3));
        assertEquals(Availability.no("no Docker engine answers at " + host + " (no such socket)"), a);
    }

    @Test
    void anEngineThatDoesNotAnswerIsGivenUpAfterTheTimeout() throws Exception {
        Path socket = dir.resolve("silent.sock");
        List<SocketChannel> accepted = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept()); // and never answer
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            String host = "unix://" + socket;
            long started = System.nanoTime();
            Availability a = Engine.probe(host, Duration.ofMillis(700));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertFalse(a.available());
            assertEquals("no Docker engine answers at " + host + ": no answer to a ping within 700 ms", a.reason());
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "bounded: " + took);
            acceptor.interrupt();
        } finally {
            for (SocketChannel c : accepted) {
                c.close();
            }
        }
    }

    @Test
    void aRefusingTcpAddressIsToldWithTheCause() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        String host = "tcp://127.0.0.1:" + port;
        Availability a = Engine.probe(host, Duration.ofSeconds(3));
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("no Docker engine answers at " + host + ": "), a.reason());
        assertTrue(a.reason().toLowerCase(java.util.Locale.ROOT).contains("refused"), a.reason());
    }
}
