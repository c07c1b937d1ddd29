package io.skep.core.discovery;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsPtrRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A DNS client for the tests, over real sockets: queries encoded and replies decoded with Netty's DNS codec, sent from
 * a chosen source address (the asker's identity) over UDP or TCP.
 */
final class DnsClient {
    /** Longer than any upstream timeout the tests use: a missing reply fails the test rather than hanging it. */
    static final int RECEIVE_TIMEOUT_MILLIS = 5_000;

    private DnsClient() {}

    /** A reply, decoded: its ID, code, flags and answers (addresses of A/AAAA records, TTLs). */
    record Reply(int id, DnsResponseCode code, boolean truncated, boolean recursionAvailable, List<Answer> answers) {
        List<String> addresses() {
            return answers.stream().map(Answer::data).toList();
        }
    }

    /** An answer record: {@code data} is an A or AAAA record's address, a PTR record's name. */
    record Answer(String name, DnsRecordType type, long ttl, String data) {}

    /** The bytes of a plain query for {@code name}. */
    static byte[] query(int id, String name, DnsRecordType type) {
        return query(id, name, type, 0);
    }

    /** The bytes of a query with, unless 0, an EDNS record offering {@code ednsSize}. */
    static byte[] query(int id, String name, DnsRecordType type, int ednsSize) {
        EmbeddedChannel encoder = new EmbeddedChannel(new DatagramDnsQueryEncoder());
        try {
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 53);
            DatagramDnsQuery query = new DatagramDnsQuery(null, any, id);
            query.setRecursionDesired(true);
            query.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type));
            if (ednsSize > 0) { // OPT (RFC 6891): the root name, the payload size as its class
                query.addRecord(
                        DnsSection.ADDITIONAL,
                        new DefaultDnsRawRecord(".", DnsRecordType.OPT, ednsSize, 0, Unpooled.EMPTY_BUFFER));
            }
            encoder.writeOutbound(query);
            DatagramPacket packet = encoder.readOutbound();
            try {
                return ByteBufUtil.getBytes(packet.content());
            } finally {
                packet.release();
            }
        } finally {
            encoder.finishAndReleaseAll();
        }
    }

    static int randomId() {
        return ThreadLocalRandom.current().nextInt(1, 65536);
    }

    /** Asks over UDP from {@code source} (port any). */
    static Reply udp(InetSocketAddress server, InetAddress source, String name, DnsRecordType type) throws IOException {
        int id = randomId();
        Reply reply = udp(server, source, query(id, name, type));
        if (reply.id() != id) {
            throw new AssertionError("reply ID " + reply.id() + ", asked with " + id);
        }
        return reply;
    }

    /** Sends {@code message} over UDP from {@code source} and waits for one reply. */
    static Reply udp(InetSocketAddress server, InetAddress source, byte[] message) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
            socket.setSoTimeout(RECEIVE_TIMEOUT_MILLIS);
            socket.send(new java.net.DatagramPacket(message, message.length, server));
            byte[] buffer = new byte[65535];
            java.net.DatagramPacket received = new java.net.DatagramPacket(buffer, buffer.length);
            socket.receive(received);
            byte[] bytes = java.util.Arrays.copyOf(buffer, received.getLength());
            return decode(bytes, server);
        }
    }

    /** Asks over TCP from {@code source}. */
    static Reply tcp(InetSocketAddress server, InetAddress source, String name, DnsRecordType type) throws IOException {
        int id = randomId();
        byte[] message = query(id, name, type);
        try (Socket socket = new Socket(server.getAddress(), server.getPort(), source, 0)) {
            socket.setSoTimeout(RECEIVE_TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(message.length);
            out.write(message);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] bytes = new byte[in.readUnsignedShort()];
            in.readFully(bytes);
            Reply reply = decode(bytes, server);
            if (reply.id() != id) {
                throw new AssertionError("reply ID " + reply.id() + ", asked with " + id);
            }
            return reply;
        }
    }

    private static Reply decode(byte[] bytes, InetSocketAddress server) throws IOException {
        EmbeddedChannel decoder = new EmbeddedChannel(new DatagramDnsResponseDecoder());
        try {
            ByteBuf content = Unpooled.wrappedBuffer(bytes);
            decoder.writeInbound(new DatagramPacket(content, new InetSocketAddress(0), server));
            DnsResponse response = decoder.readInbound();
            try {
                List<Answer> answers = new ArrayList<>();
                for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
                    DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
                    String address = null;
                    if (record instanceof DnsPtrRecord ptr) {
                        address = ptr.hostname();
                    } else if (record instanceof DnsRawRecord raw
                            && (record.type().equals(DnsRecordType.A)
                                    || record.type().equals(DnsRecordType.AAAA))) {
                        address = InetAddress.getByAddress(ByteBufUtil.getBytes(raw.content()))
                                .getHostAddress();
                    }
                    answers.add(new Answer(record.name(), record.type(), record.timeToLive(), address));
                }
                return new Reply(
                        response.id(),
                        response.code(),
                        response.isTruncated(),
                        response.isRecursionAvailable(),
                        answers);
            } finally {
                response.release();
            }
        } finally {
            decoder.finishAndReleaseAll();
        }
    }
}
