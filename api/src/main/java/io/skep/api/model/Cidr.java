package io.skep.api.model;

/**
 * An IPv4 prefix ({@code 10.0.1.0/24}) and the arithmetic networks need: containment, overlap, the n-th address.
 * Addresses are unsigned 32-bit values held in a {@code long}.
 */
public record Cidr(long base, int bits) {

    /** Parses {@code a.b.c.d/n}; the host part must be zero. Throws {@link IllegalArgumentException} saying why. */
    public static Cidr parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected an IPv4 CIDR such as 10.0.1.0/24, got \"" + text + "\"");
        }
        long address = address(text.substring(0, slash));
        int bits;
        try {
            bits = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits < 0 || bits > 32) {
            throw new IllegalArgumentException("the prefix length of \"" + text + "\" is not 0 to 32");
        }
        Cidr cidr = new Cidr(address & mask(bits), bits);
        if (cidr.base != address) {
            throw new IllegalArgumentException("\"" + text + "\" has host bits set: it should be " + cidr);
        }
        return cidr;
    }

    /** An address as tasks and VIPs carry it ({@code 10.0.1.5/24}) without its prefix length ({@code 10.0.1.5}). */
    public static String withoutPrefix(String address) {
        int slash = address.indexOf('/');
        return slash < 0 ? address : address.substring(0, slash);
    }

    /** Parses a dotted-quad IPv4 address. */
    public static long address(String text) {
        String[] parts = text == null ? new String[0] : text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("expected an IPv4 address such as 10.0.1.1, got \"" + text + "\"");
        }
        long value = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("expected an IPv4 address such as 10.0.1.1, got \"" + text + "\"");
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                throw new IllegalArgumentException("expected an IPv4 address such as 10.0.1.1, got \"" + text + "\"");
            }
            value = value << 8 | octet;
        }
        return value;
    }

    public static String format(long address) {
        return (address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255);
    }

    private static long mask(int bits) {
        return bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
    }

    /** How many addresses the prefix spans. */
    public long size() {
        return 1L << (32 - bits);
    }

    public long last() {
        return base + size() - 1;
    }

    public boolean contains(long address) {
        return address >= base && address <= last();
    }

    public boolean contains(Cidr other) {
        return other.bits >= bits && contains(other.base);
    }

    public boolean overlaps(Cidr other) {
        return contains(other.base) || other.contains(base);
    }

    /** An address of this prefix with its prefix length, as tasks' attachments show it: {@code 10.0.1.5/24}. */
    public String withPrefix(long address) {
        return format(address) + "/" + bits;
    }

    @Override
    public String toString() {
        return format(base) + "/" + bits;
    }
}
