package io.skep.spi.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IP address with a prefix length, as CIDR writes it: a subnet ({@code 198.18.0.0/24}) or an interface's address
 * on one ({@code 198.18.0.5/24}).
 *
 * @param address      the address (for a subnet, its first address)
 * @param prefixLength the number of leading bits that name the subnet: 0 to 32 for IPv4, 0 to 128 for IPv6
 */
public record Cidr(InetAddress address, int prefixLength) {

    public Cidr {
        Objects.requireNonNull(address, "address");
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length of " + address.getHostAddress() + " must be from 0 to "
                    + max + ", got " + prefixLength);
        }
    }

    /**
     * Reads {@code 198.18.0.5/24} (a bare address is a host: /32 or /128). Only literal addresses: no name is
     * looked up.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code text}
     */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.strip().split("/", -1);
        if (parts.length > 2 || parts[0].isEmpty()) {
            throw new IllegalArgumentException("not an address in CIDR form (198.18.0.5/24): \"" + text + "\"");
        }
        InetAddress address = literal(parts[0], text);
        int max = address instanceof Inet4Address ? 32 : 128;
        if (parts.length == 1) {
            return new Cidr(address, max);
        }
        try {
            return new Cidr(address, Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a prefix length in \"" + text + "\"");
        }
    }

    /**
     * A literal IPv4 or IPv6 address, never looked up by name.
     *
     * @throws IllegalArgumentException when {@code text} is not one
     */
    public static InetAddress literal(String text) {
        return literal(text, text);
    }

    private static InetAddress literal(String address, String whole) {
        String a = address.strip();
        boolean ipv4 = a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = a.contains(":") && a.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("not an IP address: \"" + whole + "\"");
        }
        try {
            return InetAddress.getByName(a); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: \"" + whole + "\"");
        }
    }

    /** The subnet this address lies in: the address with its host bits cleared ({@code 198.18.0.0/24}). */
    public Cidr network() {
        byte[] bytes = address.getAddress();
        for (int bit = prefixLength; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return new Cidr(InetAddress.getByAddress(bytes), prefixLength);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: 4 or 16 bytes
        }
    }

    /** Whether {@code other} lies in this subnet. */
    public boolean contains(InetAddress other) {
        return other.getClass() == address.getClass()
                && new Cidr(other, prefixLength).network().equals(network());
    }

    /** {@code 198.18.0.5/24}. */
    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
