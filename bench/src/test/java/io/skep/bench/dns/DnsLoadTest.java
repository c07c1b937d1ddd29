package io.skep.bench.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.core.discovery.DnsServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load generator's options, result line and wire format, and short runs against a real {@link DnsServer} on
 * loopback (its table knows 127.0.0.1 as a local task), a server that refuses the asker, and a socket that never
 * answers. The figures are not asserted: only what was answered, lost or wrong.
 */
class DnsLoadTest {
    static final InetAddress LOOPBACK = DnsLoad.ipv4("test", "127.0.0.1");
    static final InetAddress VIP = DnsLoad.ipv4("test", "198.18.0.10");

    @Test
    void optionsRoundTripThroughTheirArguments() {
        DnsLoad.Options options = DnsLoad.Options.parse(
                "--server=127.0.0.11:53",
                "--name=target",
                "--expect=198.18.0.10",
                "--seconds=3",
                "--warmup=0",
                "--window=16",
                "--timeout-ms=250");
        assertEquals(new InetSocketAddress(DnsLoad.ipv4("t", "127.0.0.11"), 53), options.server());
        assertEquals("target", options.name());
        assertEquals(VIP, options.expect());
        assertEquals(Duration.ofSeconds(3), options.measure());
        assertEquals(Duration.ZERO, options.warmup());
        assertEquals(16, options.window());
        assertEquals(Duration.ofMillis(250), options.timeout());
        assertEquals(options, DnsLoad.Options.parse(options.toArgs()));
    }

    @Test
    void badOptionsAreRefusedNamingThem() {
        assertEquals(
                "--server, --name and --expect are required",
                assertThrows(IllegalArgumentException.class, () -> DnsLoad.Options.parse("--name=a"))
                        .getMessage());
        assertEquals(
                "--expect: not an IPv4 address: 'example.com'",
                assertThrows(IllegalArgumentException.class, () -> DnsLoad.Options.parse("--expect=example.com"))
                        .getMessage());
        assertEquals(
                "--server: expected IP:PORT, got '127.0.0.1'",
                assertThrows(IllegalArgumentException.class, () -> DnsLoad.Options.parse("--server=127.0.0.1"))
                        .getMessage());
        assertEquals(
                "--window must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> DnsLoad.Options.parse("--window=0"))
                        .getMessage());
        assertEquals(
                "unknown option '--qps'",
                assertThrows(IllegalArgumentException.class, () -> DnsLoad.Options.parse("--qps=5"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> DnsLoad.Options.parse("--name=a..b"));
        assertEquals(
                "",
                assertThrows(IllegalArgumentException.class, () -> DnsLoad.Options.parse("--help"))
                        .getMessage());
    }

    @Test
    void aResultLineParsesBackToTheResult() {
        DnsLoad.Result result = new DnsLoad.Result(52_345, 2, 1, 5.0, 310, 1_204, 7.5);
        String line = result.line();
        assertEquals(
                "dnsload result answered=52345 lost=2 wrong=1 seconds=5.000 qps=10469.0 p50_us=310 p99_us=1204 gen_cpu_us=7.50",
                line);
        assertEquals(result, DnsLoad.Result.parse(line));
        assertEquals(
                "a dnsload result without lost",
                assertThrows(IllegalArgumentException.class, () -> DnsLoad.Result.parse("dnsload result answered=1"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> DnsLoad.Result.parse("something else"));
    }

    @Test
    void theQueryIsAnAQueryForTheNameWithRecursionDesired() {
        byte[] query = DnsWire.query("web.front.");
        DnsWire.setId(query, 0xBEEF);
        byte[] expected = {
            (byte) 0xBE,
            (byte) 0xEF,
            0x01,
            0x00,
            0,
            1,
            0,
            0,
            0,
            0,
            0,
            0, // ID, RD, one question
            3,
            'w',
            'e',
            'b',
            5,
            'f',
            'r',
            'o',
            'n',
            't',
            0, // the name
            0,
            1,
            0,
            1 // A, IN
        };
        assertArrayEquals(expected, query);
    }

    @Test
    void answersFromTheSkepServerCount() throws Exception {
        try (DnsServer server = server(LOOPBACK)) {
            Run run = run(server.address(), VIP);
            assertTrue(run.result.answered() > 0, run.output);
            assertEquals(0, run.result.lost(), run.output);
            assertEquals(0, run.result.wrong(), run.output);
            assertTrue(run.result.p50Micros() <= run.result.p99Micros(), run.output);
            assertTrue(run.output.startsWith(DnsLoad.MEASURING + "\n"), run.output);
        }
    }

    @Test
    void aRefusalOrAnotherAddressIsWrongNotAnswered() throws Exception {
        try (DnsServer refusing = server(DnsLoad.ipv4("test", "127.0.0.2"))) {
            Run run = run(refusing.address(), VIP);
            assertEquals(0, run.result.answered(), run.output);
            assertTrue(run.result.wrong() > 0, run.output);
            assertTrue(run.output.contains("(WRONG, response code 5)"), run.output); // REFUSED
        }
        try (DnsServer server = server(LOOPBACK)) {
            Run run = run(server.address(), DnsLoad.ipv4("test", "198.18.0.11"));
            assertEquals(0, run.result.answered(), run.output);
            assertTrue(run.result.wrong() > 0, run.output);
        }
    }

    @Test
    void queriesWithoutAReplyAreLost() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            Run run = run((InetSocketAddress) silent.getLocalSocketAddress(), VIP);
            assertEquals(0, run.result.answered(), run.output);
            assertEquals(0, run.result.wrong(), run.output);
            assertTrue(run.result.lost() >= 8, run.output); // at least the window's first queries
        }
    }

    record Run(DnsLoad.Result result, String output) {}

    static Run run(InetSocketAddress server, InetAddress expect) throws Exception {
        DnsLoad.Options options = new DnsLoad.Options(
                server, "target", expect, Duration.ofSeconds(1), Duration.ZERO, 8, Duration.ofMillis(200));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DnsLoad.Result result;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            result = DnsLoad.run(options, out);
        }
        return new Run(result, bytes.toString(StandardCharsets.UTF_8));
    }

    /** skep's server on loopback, any port, with a table whose one local task is at {@code asker}. */
    static DnsServer server(InetAddress asker) throws Exception {
        DnsServer server = new DnsServer(new InetSocketAddress(LOOPBACK, 0), List.of(), Duration.ofSeconds(1));
        server.start();
        server.update(SkepSide.table(asker, VIP, DnsLoad.ipv4("test", "198.18.0.11")));
        return server;
    }
}
