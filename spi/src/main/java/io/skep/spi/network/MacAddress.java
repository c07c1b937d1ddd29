package io.skep.spi.network;

import java.net.Inet4Address;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A 48-bit Ethernet (MAC) address, kept in its canonical text form: six lower-case hex pairs joined by colons
 * ({@code 02:42:c6:12:00:05}).
 *
 * @param text the canonical form
 */
public record MacAddress(String text) {

    public MacAddress {
        Objects.requireNonNull(text, "text");
        text = text.strip().toLowerCase(Locale.ROOT);
        if (!text.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new IllegalArgumentException("not a MAC address (02:42:c6:12:00:05): \"" + text + "\"");
        }
    }

    /** Reads {@code 02:42:C6:12:00:05} (either case). */
    public static MacAddress parse(String text) {
        return new MacAddress(text);
    }

    /**
     * The MAC address Docker gives an endpoint with this IPv4 address: {@code 02:42} (a locally administered,
     * unicast prefix) followed by the address's four bytes, so {@code 198.18.0.5} has {@code 02:42:c6:12:00:05}.
     * Every node derives the same MAC for an address, so the peer tables need not carry MACs that were chosen.
     */
    public static MacAddress fromIpv4(Inet4Address address) {
        byte[] ip = address.getAddress();
        HexFormat hex = HexFormat.ofDelimiter(":");
        return new MacAddress(hex.formatHex(new byte[] {0x02, 0x42, ip[0], ip[1], ip[2], ip[3]}));
    }

    @Override
    public String toString() {
        return text;
    }
}
