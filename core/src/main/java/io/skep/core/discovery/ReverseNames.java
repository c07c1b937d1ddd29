package io.skep.core.discovery;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The address a reverse-lookup name stands for: {@code 5.0.18.198.in-addr.arpa}, or a nibble {@code ip6.arpa}. */
final class ReverseNames {
    private static final String IPV4 = ".in-addr.arpa";
    private static final String IPV6 = ".ip6.arpa";

    private ReverseNames() {}

    /** The address, or null when the name is no complete reverse name of one address. */
    static InetAddress address(String name) {
        String n = DiscoveryTable.normalize(name);
        try {
            if (n.endsWith(IPV4)) {
                String[] labels = n.substring(0, n.length() - IPV4.length()).split("\\.", -1);
                if (labels.length != 4) {
                    return null; // a whole subnet (10.in-addr.arpa) is no task's address
                }
                String literal = labels[3] + "." + labels[2] + "." + labels[1] + "." + labels[0];
                return IpLiterals.parse(literal);
            }
            if (n.endsWith(IPV6)) {
                String[] nibbles = n.substring(0, n.length() - IPV6.length()).split("\\.", -1);
                if (nibbles.length != 32) {
                    return null;
                }
                byte[] bytes = new byte[16];
                for (int i = 0; i < 32; i++) {
                    int value = nibbles[i].length() == 1 ? Character.digit(nibbles[i].charAt(0), 16) : -1;
                    if (value < 0) {
                        return null;
                    }
                    int index = 15 - i / 2; // the name lists the nibbles from the last
                    bytes[index] |= (byte) (i % 2 == 0 ? value : value << 4);
                }
                return InetAddress.getByAddress(bytes);
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }
}
