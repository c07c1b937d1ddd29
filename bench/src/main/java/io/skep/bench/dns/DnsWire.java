package io.skep.bench.dns;

import java.net.IDN;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The two DNS messages the load generator needs, in RFC 1035's wire format: an A query (built once, its ID patched
 * for each send) and the check of a reply. Written out rather than with Netty's DNS codec on purpose: the generator
 * must cost far less per query than the servers it measures, so it allocates nothing per query.
 */
final class DnsWire {
    static final int HEADER = 12;
    private static final int TYPE_A = 1;
    private static final int CLASS_IN = 1;
    private static final int FLAG_QR = 0x8000;
    private static final int FLAG_RD = 0x0100;
    private static final int RCODE_MASK = 0xF;

    private DnsWire() {}

    /** What a reply said, as far as the generator judges it. */
    enum Verdict {
        /** NOERROR with an A record of the expected address. */
        ANSWERED,
        /** Any other reply: an error code, no A record, another address. */
        WRONG,
        /** Not a reply (no QR bit) or too short to be one. */
        MALFORMED
    }

    /** An A query for {@code name} with ID 0 and recursion desired; {@link #setId} gives each send its ID. */
    static byte[] query(String name) {
        String ascii = IDN.toASCII(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
        if (ascii.isEmpty()) {
            throw new IllegalArgumentException("the name is empty");
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER + ascii.length() + 2 + 4);
        out.putShort((short) 0).putShort((short) FLAG_RD).putShort((short) 1);
        out.putShort((short) 0).putShort((short) 0).putShort((short) 0);
        for (String label : ascii.split("\\.", -1)) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length == 0 || bytes.length > 63) {
                throw new IllegalArgumentException("'" + name + "': a label must have 1 to 63 characters");
            }
            out.put((byte) bytes.length).put(bytes);
        }
        out.put((byte) 0).putShort((short) TYPE_A).putShort((short) CLASS_IN);
        return out.array();
    }

    static void setId(byte[] message, int id) {
        message[0] = (byte) (id >>> 8);
        message[1] = (byte) id;
    }

    /** The ID of a message of at least {@value #HEADER} bytes at the buffer's start. */
    static int id(ByteBuffer message) {
        return message.getShort(0) & 0xFFFF;
    }

    /**
     * Judges the reply in {@code message} (from 0 to its limit): {@link Verdict#ANSWERED} when it says NOERROR and
     * one of its A records holds {@code expected}.
     */
    static Verdict check(ByteBuffer message, InetAddress expected) {
        int length = message.limit();
        if (length < HEADER || (message.getShort(2) & FLAG_QR) == 0) {
            return Verdict.MALFORMED;
        }
        if ((message.getShort(2) & RCODE_MASK) != 0) {
            return Verdict.WRONG;
        }
        int questions = message.getShort(4) & 0xFFFF;
        int answers = message.getShort(6) & 0xFFFF;
        byte[] want = expected.getAddress();
        int at = HEADER;
        try {
            for (int i = 0; i < questions; i++) {
                at = skipName(message, at) + 4; // type, class
            }
            for (int i = 0; i < answers; i++) {
                at = skipName(message, at);
                int type = message.getShort(at) & 0xFFFF;
                int dataLength = message.getShort(at + 8) & 0xFFFF; // after type, class, TTL
                int data = at + 10;
                if (data + dataLength > length) {
                    return Verdict.MALFORMED;
                }
                if (type == TYPE_A && dataLength == 4 && sameBytes(message, data, want)) {
                    return Verdict.ANSWERED;
                }
                at = data + dataLength;
            }
        } catch (IndexOutOfBoundsException e) {
            return Verdict.MALFORMED; // a count promising more than the message holds
        }
        return Verdict.WRONG;
    }

    /** The offset just after the name at {@code at}: labels up to the root label, or a compression pointer. */
    private static int skipName(ByteBuffer message, int at) {
        while (true) {
            int length = message.get(at) & 0xFF;
            if (length == 0) {
                return at + 1;
            }
            if ((length & 0xC0) == 0xC0) {
                return at + 2; // a pointer ends the name
            }
            at += 1 + length;
        }
    }

    private static boolean sameBytes(ByteBuffer message, int at, byte[] want) {
        for (int i = 0; i < want.length; i++) {
            if (message.get(at + i) != want[i]) {
                return false;
            }
        }
        return true;
    }
}
