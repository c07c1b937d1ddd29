package io.skep.core.discovery;

import io.skep.api.model.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Addresses as the store and resolv.conf write them ({@code 198.18.0.5}, {@code 198.18.0.5/24}, {@code fd00::5}),
 * parsed without ever asking a resolver: {@link InetAddress#getByName} looks up anything that is not a literal, and a
 * DNS server must not resolve names to build its own table.
 */
final class IpLiterals {
    private IpLiterals() {}

    /** The address, without its prefix length; null when the text is no IPv4 or IPv6 literal. */
    static InetAddress parse(String text) {
        if (text == null) {
            return null;
        }
        String literal = Cidr.withoutPrefix(text).trim();
        try {
            if (literal.indexOf(':') >= 0) {
                return InetAddress.getByName(literal); // a colon makes it an IPv6 literal: parsed, never looked up
            }
            byte[] bytes = ipv4(literal);
            return bytes == null ? null : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Four dotted decimal numbers 0-255, or null. */
    private static byte[] ipv4(String literal) {
        String[] parts = literal.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }
}
