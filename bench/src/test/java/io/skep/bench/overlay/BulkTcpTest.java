package io.skep.bench.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bulk sender and sink over loopback, and how the scenario runs them and reads what they print. */
class BulkTcpTest {

    @Test
    void theSenderCountsOnlyWhatTheSinkReadWhole() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread sink = Thread.ofVirtual().start(() -> BulkTcp.sink(server));
            // two transfers in a row, the second not a whole number of chunks: the sink serves one after the other
            assertTrue(BulkTcp.send("127.0.0.1", server.getLocalPort(), 3L << 20) > 0);
            assertTrue(BulkTcp.send("127.0.0.1", server.getLocalPort(), (5L << 20) + 12345) > 0);
            server.close();
            sink.join();
        }
    }

    @Test
    void aSendersLineIsReadAsMibPerSecond() {
        // 256 MiB in half a second, after whatever the JVM said before
        assertEquals(512.0, BulkTcp.mibPerSecond("Picked up JDK_JAVA_OPTIONS\n268435456 500000000\n"), 1e-9);
        assertThrows(IllegalStateException.class, () -> BulkTcp.mibPerSecond("Connection refused"));
    }

    @Test
    void commandsRunThisJavaAndQuoteEveryWord() {
        List<String> send = BulkTcp.sendCommand("198.19.0.2", 5001, 1024);
        assertEquals(
                List.of(BulkTcp.class.getName(), "send", "198.19.0.2", "5001", "1024"),
                send.subList(send.size() - 5, send.size()));
        assertTrue(send.getFirst().startsWith(System.getProperty("java.home")), send.getFirst());
        assertEquals("'/bin/busybox' 'it'\\''s'", BulkTcp.shellLine(List.of("/bin/busybox", "it's")));
    }
}
