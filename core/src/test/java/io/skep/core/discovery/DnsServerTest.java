package io.skep.core.discovery;

import static io.skep.core.discovery.DiscoveryTableTest.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.skep.core.discovery.DnsClient.Answer;
import io.skep.core.discovery.DnsClient.Reply;
import io.skep.core.dispatcher.NetworkView;
import io.skep.core.dispatcher.NetworkView.ServiceEntry;
import io.skep.core.dispatcher.NetworkView.TaskEntry;
import io.skep.core.testing.Await;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DNS server over real sockets on loopback, asked by a real DNS client, forwarding to a real (stub) upstream
 * resolver. The asker's identity is its source address: 127.0.0.1 is a task on the front network, 127.0.0.2 a task on
 * another network, 127.0.0.3 nobody.
 */
class DnsServerTest {
    static final InetAddress FRONT_TASK = ip("127.0.0.1");
    static final InetAddress OTHER_TASK = ip("127.0.0.2");
    static final InetAddress STRANGER = ip("127.0.0.3");
    static final int MANY = 100;

    StubResolver upstream;
    DnsServer server;
    InetSocketAddress address;
    final List<AutoCloseable> closeAfter = new ArrayList<>();

    static InetAddress ip(String literal) {
        return IpLiterals.parse(literal);
    }

    /** Front: {@code web} (VIP, alias www, two tasks), {@code db} (dnsrr), {@code many} (dnsrr, 100 tasks). */
    static DiscoveryTable table(String webVip) {
        List<TaskEntry> many = new ArrayList<>();
        for (int i = 0; i < MANY; i++) {
            many.add(new TaskEntry("m" + i, "many." + (i + 1) + ".m" + i, "198.18.1." + (i + 1), List.of()));
        }
        NetworkView front = new NetworkView(
                "front",
                List.of(),
                List.of(
                        new ServiceEntry(
                                "svc-web",
                                "web",
                                List.of("www"),
                                webVip,
                                List.of(
                                        new TaskEntry("t1", "web.1.t1", "198.18.0.5", List.of()),
                                        new TaskEntry("t2", "web.2.t2", "198.18.0.6", List.of()))),
                        new ServiceEntry(
                                "svc-db",
                                "db",
                                List.of(),
                                null,
                                List.of(
                                        new TaskEntry("t3", "db.1.t3", "198.18.0.7", List.of()),
                                        new TaskEntry("t4", "db.2.t4", "198.18.0.8", List.of()))),
                        new ServiceEntry("svc-many", "many", List.of(), null, many)));
        NetworkView other = new NetworkView(
                "other",
                List.of(),
                List.of(new ServiceEntry(
                        "svc-api",
                        "api",
                        List.of(),
                        "198.19.0.2",
                        List.of(new TaskEntry("t9", "api.1.t9", "198.19.0.9", List.of())))));
        return DiscoveryTable.of(
                List.of(task("a", "running", "front", "127.0.0.1/8"), task("b", "running", "other", "127.0.0.2/8")),
                List.of(front, other));
    }

    @BeforeEach
    void start() throws Exception {
        upstream = new StubResolver();
        server = started(List.of(upstream.address()), Duration.ofSeconds(2), DnsServer.DEFAULT_MAX_IN_FLIGHT);
        address = server.address();
    }

    DnsServer started(List<InetSocketAddress> upstreams, Duration timeout, int maxInFlight) throws IOException {
        DnsServer s = new DnsServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), upstreams, timeout, maxInFlight);
        closeAfter.add(s);
        s.start();
        s.update(table("198.18.0.2"));
        return s;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeAfter.reversed()) {
            c.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    Reply ask(String name) throws IOException {
        return DnsClient.udp(address, FRONT_TASK, name, DnsRecordType.A);
    }

    @Test
    void aServiceNameResolvesToItsVipWithDockersTtl() throws IOException {
        Reply reply = ask("web");
        assertEquals(DnsResponseCode.NOERROR, reply.code());
        assertEquals(List.of("198.18.0.2"), reply.addresses());
        Answer answer = reply.answers().getFirst();
        assertEquals(DnsRecordType.A, answer.type());
        assertEquals(600, answer.ttl());
        assertEquals("web.", answer.name());
        assertTrue(reply.recursionAvailable());
        assertEquals(List.of(), upstream.asked(), "a local name never goes upstream");
    }

    @Test
    void aDnsrrServiceResolvesToItsTasks() throws IOException {
        assertEquals(Set.of("198.18.0.7", "198.18.0.8"), Set.copyOf(ask("db").addresses()));
    }

    @Test
    void tasksDotNameResolvesToTheTasksEvenBehindAVip() throws IOException {
        assertEquals(
                Set.of("198.18.0.5", "198.18.0.6"), Set.copyOf(ask("tasks.web").addresses()));
    }

    @Test
    void anAliasAndATaskNameResolve() throws IOException {
        assertEquals(List.of("198.18.0.2"), ask("www").addresses());
        assertEquals(List.of("198.18.0.6"), ask("web.2.t2").addresses());
    }

    @Test
    void aNameQualifiedByTheNetworkAndAReverseLookupOfATaskResolve() throws IOException {
        assertEquals(List.of("198.18.0.2"), ask("web.front").addresses());
        Reply reverse = DnsClient.udp(address, FRONT_TASK, "5.0.18.198.in-addr.arpa", DnsRecordType.PTR);
        assertEquals(DnsResponseCode.NOERROR, reverse.code());
        assertEquals(List.of("web.1.t1.front."), reverse.addresses());
        assertEquals(DnsRecordType.PTR, reverse.answers().getFirst().type());
        assertEquals(List.of(), upstream.asked());
    }

    @Test
    void namesAreCaseInsensitive() throws IOException {
        assertEquals(List.of("198.18.0.2"), ask("WeB").addresses());
        assertEquals(
                Set.of("198.18.0.5", "198.18.0.6"), Set.copyOf(ask("TASKS.web.").addresses()));
    }

    @Test
    void aaaaOfAKnownNameIsAnEmptyNoErrorAnswerNotForwarded() throws IOException {
        Reply reply = DnsClient.udp(address, FRONT_TASK, "web", DnsRecordType.AAAA);
        assertEquals(DnsResponseCode.NOERROR, reply.code());
        assertEquals(List.of(), reply.answers());
        assertEquals(List.of(), upstream.asked());
    }

    @Test
    void anUnknownNameIsForwardedAndTheUpstreamAnswerRelayedWithTheAskersId() throws IOException {
        Reply reply = ask("example.org"); // DnsClient checks the reply's ID is the query's
        assertEquals(DnsResponseCode.NOERROR, reply.code());
        assertEquals(List.of("192.0.2.10"), reply.addresses());
        assertEquals(30, reply.answers().getFirst().ttl(), "the upstream's record, relayed as it is");
        assertEquals(List.of("udp:example.org."), upstream.asked());

        Reply missing = ask("nowhere.example.org");
        assertEquals(DnsResponseCode.NXDOMAIN, missing.code());
    }

    @Test
    void aTaskOnAnotherNetworkDoesNotSeeTheNameWhichGoesUpstream() throws IOException {
        Reply reply = DnsClient.udp(address, OTHER_TASK, "web", DnsRecordType.A);
        assertEquals(DnsResponseCode.NXDOMAIN, reply.code()); // the upstream's answer, as in Docker
        assertEquals(List.of("udp:web."), upstream.asked());
        assertEquals(
                List.of("198.19.0.2"),
                DnsClient.udp(address, OTHER_TASK, "api", DnsRecordType.A).addresses());
    }

    @Test
    void aSourceThatIsNoTaskOfTheNodeIsRefused() throws IOException {
        assertEquals(
                DnsResponseCode.REFUSED,
                DnsClient.udp(address, STRANGER, "web", DnsRecordType.A).code());
        assertEquals(
                DnsResponseCode.REFUSED,
                DnsClient.udp(address, STRANGER, "example.org", DnsRecordType.A).code());
        assertEquals(List.of(), upstream.asked(), "no open resolver: a stranger's query never goes upstream");
    }

    @Test
    void withoutUpstreamsAnUnknownNameIsServfail() throws IOException {
        DnsServer alone = started(List.of(), Duration.ofSeconds(2), 8);
        Reply reply = DnsClient.udp(alone.address(), FRONT_TASK, "example.org", DnsRecordType.A);
        assertEquals(DnsResponseCode.SERVFAIL, reply.code());
        assertEquals(
                List.of("198.18.0.2"),
                DnsClient.udp(alone.address(), FRONT_TASK, "web", DnsRecordType.A)
                        .addresses());
    }

    @Test
    void anUpstreamThatNeverAnswersIsServfailOnceTheTimeoutPasses() throws IOException {
        DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        closeAfter.add(silent);
        Duration timeout = Duration.ofMillis(400);
        DnsServer s = started(List.of((InetSocketAddress) silent.getLocalSocketAddress()), timeout, 8);

        long began = System.nanoTime();
        Reply reply = DnsClient.udp(s.address(), FRONT_TASK, "example.org", DnsRecordType.A);
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        assertEquals(DnsResponseCode.SERVFAIL, reply.code());
        assertTrue(took.compareTo(timeout) >= 0, "SERVFAIL only after the timeout: " + took);
        assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "SERVFAIL soon after the timeout: " + took);
        Await.until(Duration.ofSeconds(5), "the query no longer in flight", () -> s.inFlight() == 0);
    }

    @Test
    void aFailingUpstreamPassesTheQueryToTheNext() throws IOException {
        DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        closeAfter.add(silent);
        DnsServer s = started(
                List.of((InetSocketAddress) silent.getLocalSocketAddress(), upstream.address()),
                Duration.ofMillis(300),
                8);
        Reply reply = DnsClient.udp(s.address(), FRONT_TASK, "example.org", DnsRecordType.A);
        assertEquals(List.of("192.0.2.10"), reply.addresses());
    }

    @Test
    void anUnreachableUpstreamPassesTheQueryOnWithoutWaitingForTheTimeout() throws IOException {
        InetSocketAddress closed;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closed = (InetSocketAddress) s.getLocalSocketAddress(); // closed again: the kernel answers port unreachable
        }
        DnsServer s = started(List.of(closed, upstream.address()), Duration.ofSeconds(4), 8);
        long began = System.nanoTime();
        Reply reply = DnsClient.udp(s.address(), FRONT_TASK, "example.org", DnsRecordType.A);
        assertEquals(List.of("192.0.2.10"), reply.addresses());
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "moved on at the ICMP error: " + took);
    }

    @Test
    void queriesBeyondTheBoundInFlightAreServfailAtOnce() throws Exception {
        DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        closeAfter.add(silent);
        DnsServer s = started(List.of((InetSocketAddress) silent.getLocalSocketAddress()), Duration.ofSeconds(3), 1);

        CompletableFuture<Reply> first = CompletableFuture.supplyAsync(() -> {
            try {
                return DnsClient.udp(s.address(), FRONT_TASK, "one.example.org", DnsRecordType.A);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until(Duration.ofSeconds(5), "the first query waiting upstream", () -> s.inFlight() == 1);
        long began = System.nanoTime();
        Reply second = DnsClient.udp(s.address(), FRONT_TASK, "two.example.org", DnsRecordType.A);
        assertEquals(DnsResponseCode.SERVFAIL, second.code());
        assertTrue(
                Duration.ofNanos(System.nanoTime() - began).compareTo(Duration.ofSeconds(2)) < 0,
                "the second is turned away, not made to wait");
        assertEquals(DnsResponseCode.SERVFAIL, first.get().code());
        assertEquals(
                DnsResponseCode.NOERROR,
                DnsClient.udp(s.address(), FRONT_TASK, "web", DnsRecordType.A).code());
    }

    @Test
    void anUpdatedTableTakesEffect() throws IOException {
        assertEquals(List.of("198.18.0.2"), ask("web").addresses());
        server.update(table("198.18.0.3"));
        assertEquals(List.of("198.18.0.3"), ask("web").addresses());
        server.update(DiscoveryTable.EMPTY);
        assertEquals(DnsResponseCode.REFUSED, ask("web").code());
    }

    @Test
    void anAnswerTooLargeForUdpIsTruncatedAndWholeOverTcp() throws IOException {
        Reply udp = ask("many");
        assertTrue(udp.truncated(), "TC set");
        assertFalse(udp.answers().isEmpty());
        assertTrue(
                udp.answers().size() < MANY,
                "as many as fit in 512 bytes: " + udp.answers().size());

        Reply tcp = DnsClient.tcp(address, FRONT_TASK, "many", DnsRecordType.A);
        assertFalse(tcp.truncated());
        assertEquals(MANY, Set.copyOf(tcp.addresses()).size());
    }

    @Test
    void anAskerOfferingALargerUdpSizeWithEdnsGetsTheWholeAnswerOverUdp() throws IOException {
        int id = DnsClient.randomId();
        Reply reply = DnsClient.udp(address, FRONT_TASK, DnsClient.query(id, "many", DnsRecordType.A, 4096));
        assertEquals(id, reply.id());
        assertFalse(reply.truncated());
        assertEquals(MANY, Set.copyOf(reply.addresses()).size());
    }

    @Test
    void anOpcodeOtherThanQueryIsNotImplemented() throws IOException {
        // The opcode set by hand: Netty's query encoder (4.2.7) shifts it into the QR bit.
        byte[] status = DnsClient.query(9, "web", DnsRecordType.A);
        status[2] = (byte) ((status[2] & 0x87) | DnsOpCode.STATUS.byteValue() << 3);
        Reply reply = DnsClient.udp(address, FRONT_TASK, status);
        assertEquals(DnsResponseCode.NOTIMP, reply.code());
    }

    @Test
    void overTcpLocalNamesAnswerAndOthersAreForwardedOverTcp() throws IOException {
        assertEquals(
                List.of("198.18.0.2"),
                DnsClient.tcp(address, FRONT_TASK, "web", DnsRecordType.A).addresses());
        assertEquals(
                List.of("192.0.2.10"),
                DnsClient.tcp(address, FRONT_TASK, "example.org", DnsRecordType.A)
                        .addresses());
        assertEquals(List.of("tcp:example.org."), upstream.asked());
        assertEquals(
                DnsResponseCode.REFUSED,
                DnsClient.tcp(address, STRANGER, "web", DnsRecordType.A).code());
    }

    @Test
    void aMalformedPacketIsDroppedAndTheServerServesOn() throws IOException {
        byte[] query = DnsClient.query(7, "web", DnsRecordType.A);
        byte[] response = query.clone();
        response[2] |= (byte) 0x80; // QR: a response, not a query
        List<byte[]> bad = List.of(
                new byte[] {1, 2, 3},
                java.util.Arrays.copyOf(query, query.length - 3), // cut inside the question
                response,
                new byte[600]);
        for (byte[] message : bad) {
            assertThrows(SocketTimeoutException.class, () -> quickUdp(message), "no reply to a malformed message");
        }
        assertEquals(List.of("198.18.0.2"), ask("web").addresses());
    }

    /** Sends one message and waits briefly for a reply (the tests that expect none). */
    private void quickUdp(byte[] message) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(FRONT_TASK, 0))) {
            socket.setSoTimeout(300);
            socket.send(new java.net.DatagramPacket(message, message.length, address));
            byte[] buffer = new byte[1024];
            socket.receive(new java.net.DatagramPacket(buffer, buffer.length));
        }
    }

    @Test
    void closeFreesThePort() throws IOException {
        int port = address.getPort();
        server.close();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertTrue(udp.isBound() && tcp.isBound());
        }
        server.close(); // twice: harmless
    }

    @Test
    void upstreamsAreTheNameserversOfResolvConfLessTheServersOwn(@TempDir Path dir) throws IOException {
        Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, """
                # generated
                nameserver 192.0.2.53
                nameserver 169.254.53.53
                ; old
                search example.org
                nameserver   2001:db8::53
                nameserver not-an-address
                options ndots:0
                """);
        assertEquals(
                List.of(new InetSocketAddress(ip("192.0.2.53"), 53), new InetSocketAddress(ip("2001:db8::53"), 53)),
                DnsServer.upstreamsOf(conf, ip("169.254.53.53")));
        assertEquals(List.of(), DnsServer.upstreamsOf(dir.resolve("absent"), ip("169.254.53.53")));
    }
}
