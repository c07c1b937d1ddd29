package io.skep.core.discovery;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DefaultDnsPtrRecord;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordEncoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Reads a query and writes the server's own replies, with Netty's DNS codec for names, questions and records. */
final class DnsMessages {
    /** Docker's TTL for the embedded server's answers (libnetwork {@code respTTL}). */
    static final long TTL = 600;
    /** The most a UDP reply may carry when the query does not say (RFC 1035), and the least one may. */
    static final int DEFAULT_UDP_SIZE = 512;
    /** The largest UDP reply we honour an EDNS query asking for, and the largest datagram read. */
    static final int MAX_UDP_SIZE = 4096;
    /** A TCP message's length is two bytes. */
    static final int MAX_TCP_SIZE = 65535;

    private static final int HEADER = 12;
    private static final int QR = 0x8000;
    private static final int TC = 0x0200;
    private static final int RD = 0x0100;
    private static final int RA = 0x0080;

    private DnsMessages() {}

    /**
     * What a query asks, kept as plain values: the decoded query is reference-counted, and a forwarded one may be
     * answered (SERVFAIL) long after it was read.
     *
     * @param udpSize the largest UDP reply the asker takes (its EDNS payload size, within bounds)
     */
    record Asked(
            int id,
            DnsOpCode opCode,
            boolean recursionDesired,
            String name,
            DnsRecordType type,
            int dnsClass,
            int udpSize) {

        DiscoveryTable.Type tableType() {
            if (dnsClass != DnsRecord.CLASS_IN) {
                return DiscoveryTable.Type.OTHER;
            }
            if (type.equals(DnsRecordType.A)) {
                return DiscoveryTable.Type.A;
            }
            if (type.equals(DnsRecordType.AAAA)) {
                return DiscoveryTable.Type.AAAA;
            }
            if (type.equals(DnsRecordType.PTR)) {
                return DiscoveryTable.Type.PTR;
            }
            return type.equals(DnsRecordType.MX) ? DiscoveryTable.Type.MX : DiscoveryTable.Type.OTHER;
        }
    }

    /**
     * The query in {@code message} (not consumed), or null when it asks no question.
     *
     * @throws Exception when the message is no well-formed DNS query
     */
    static Asked read(ByteBuf message, InetSocketAddress asker, InetSocketAddress local) throws Exception {
        DnsQuery query = QueryDecoder.INSTANCE.read(message.duplicate(), asker, local);
        try {
            if (query.count(DnsSection.QUESTION) == 0) {
                return null;
            }
            DnsQuestion question = query.recordAt(DnsSection.QUESTION, 0);
            int udpSize = DEFAULT_UDP_SIZE;
            for (int i = 0; i < query.count(DnsSection.ADDITIONAL); i++) {
                DnsRecord record = query.recordAt(DnsSection.ADDITIONAL, i);
                if (record.type().equals(DnsRecordType.OPT)) { // EDNS: its class is the asker's UDP payload size
                    udpSize = Math.clamp(record.dnsClass(), DEFAULT_UDP_SIZE, MAX_UDP_SIZE);
                }
            }
            return new Asked(
                    query.id(),
                    query.opCode(),
                    query.isRecursionDesired(),
                    question.name(),
                    question.type(),
                    question.dnsClass(),
                    udpSize);
        } finally {
            query.release();
        }
    }

    /** A reply with no records: an error code, or NOERROR for a name we know without records of the type. */
    static ByteBuf reply(ByteBufAllocator alloc, Asked asked, DnsResponseCode code) {
        return reply(alloc, asked, code, List.of(), MAX_TCP_SIZE);
    }

    /** {@code addresses} as the A and AAAA records of an answer to {@code asked}. */
    static List<DnsRecord> addressRecords(Asked asked, List<InetAddress> addresses) {
        List<DnsRecord> records = new ArrayList<>(addresses.size());
        for (InetAddress address : addresses) {
            DnsRecordType type = address.getAddress().length == 4 ? DnsRecordType.A : DnsRecordType.AAAA;
            records.add(new DefaultDnsRawRecord(asked.name(), type, TTL, Unpooled.wrappedBuffer(address.getAddress())));
        }
        return records;
    }

    /** The PTR record of an answer to {@code asked}: the address is {@code host}'s. */
    static List<DnsRecord> pointerRecord(Asked asked, String host) {
        return List.of(new DefaultDnsPtrRecord(asked.name(), DnsRecord.CLASS_IN, TTL, host + "."));
    }

    /**
     * A reply with {@code records} as its answers. When they do not all fit in {@code maxSize}, the reply carries
     * those that fit and, over UDP, the TC flag, so the asker can ask again over TCP (RFC 1035 4.2.1).
     */
    static ByteBuf reply(
            ByteBufAllocator alloc, Asked asked, DnsResponseCode code, List<DnsRecord> records, int maxSize) {
        ByteBuf out = alloc.buffer(Math.min(maxSize, 512));
        try {
            out.writeShort(asked.id());
            out.writeShort(0); // flags, below: TC is known only once the records are written
            out.writeShort(1);
            out.writeShort(0); // answers, below
            out.writeShort(0);
            out.writeShort(0);
            DnsRecordEncoder.DEFAULT.encodeQuestion(
                    new DefaultDnsQuestion(asked.name(), asked.type(), asked.dnsClass()), out);
            int answers = 0;
            boolean truncated = false;
            for (DnsRecord record : records) {
                int before = out.writerIndex();
                DnsRecordEncoder.DEFAULT.encodeRecord(record, out);
                if (out.writerIndex() > maxSize) {
                    out.writerIndex(before);
                    truncated = true;
                    break;
                }
                answers++;
            }
            int flags = QR
                    | (asked.opCode().byteValue() & 0xf) << 11
                    | (truncated && maxSize < MAX_TCP_SIZE ? TC : 0)
                    | (asked.recursionDesired() ? RD : 0)
                    | RA
                    | (code.intValue() & 0xf);
            out.setShort(2, flags);
            out.setShort(6, answers);
            return out;
        } catch (Exception e) {
            out.release();
            throw new IllegalStateException("cannot encode the reply to " + asked, e);
        }
    }

    /** Shuffled, as Docker shuffles a multi-address answer so that askers spread over the tasks. */
    static List<InetAddress> shuffled(List<InetAddress> addresses) {
        if (addresses.size() < 2) {
            return addresses;
        }
        List<InetAddress> copy = new ArrayList<>(addresses);
        java.util.Collections.shuffle(copy, java.util.concurrent.ThreadLocalRandom.current());
        return copy;
    }

    /** The message's ID, or -1 when it is too short to be DNS. */
    static int id(ByteBuf message) {
        return message.readableBytes() < HEADER ? -1 : message.getUnsignedShort(message.readerIndex());
    }

    /** The message's response code (its header's low four bits). */
    static int responseCode(ByteBuf message) {
        return message.getUnsignedShort(message.readerIndex() + 2) & 0xf;
    }

    /**
     * Netty's query decoder, called directly rather than as a pipeline stage: the server keeps the raw bytes of a
     * query, to forward them unchanged, and decodes them only to see what they ask.
     */
    private static final class QueryDecoder extends DatagramDnsQueryDecoder {
        static final QueryDecoder INSTANCE = new QueryDecoder();

        DnsQuery read(ByteBuf message, InetSocketAddress asker, InetSocketAddress local) throws Exception {
            List<Object> out = new ArrayList<>(1);
            decode(null, new DatagramPacket(message, local, asker), out); // it reads the packet, no context
            return (DnsQuery) out.getFirst();
        }
    }
}
