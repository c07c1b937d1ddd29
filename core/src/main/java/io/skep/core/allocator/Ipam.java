package io.skep.core.allocator;

import io.skep.api.model.Cidr;
import io.skep.api.model.Network;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A network's own allocations, chosen when it is created: a subnet from the swarm's default address pool (Docker's
 * 10.0.0.0/8 in /24s) that overlaps no other network's, a gateway, and a VXLAN ID (Docker's first is 4097).
 */
public final class Ipam {
    /** libnetwork's ovmanager hands out VXLAN IDs above 4096. */
    public static final long FIRST_VXLAN_ID = 4097;
    /** A VXLAN network identifier has 24 bits. */
    public static final long LAST_VXLAN_ID = (1L << 24) - 1;

    private Ipam() {}

    /**
     * The first block of {@code size} bits of the pools that overlaps none of {@code taken}, or null when the pools
     * are full.
     */
    public static Cidr nextSubnet(List<String> pools, int size, Collection<Cidr> taken) {
        for (String p : pools) {
            Cidr pool = Cidr.parse(p);
            if (size < pool.bits()) {
                continue;
            }
            long step = 1L << (32 - size);
            for (long base = pool.base(); base <= pool.last(); base += step) {
                Cidr candidate = new Cidr(base, size);
                Cidr clash =
                        taken.stream().filter(candidate::overlaps).findFirst().orElse(null);
                if (clash == null) {
                    return candidate;
                }
                if (clash.bits() < size) { // skip the whole of a larger taken prefix at once
                    base = clash.last() + 1 - step;
                }
            }
        }
        return null;
    }

    /** The lowest VXLAN ID from 4097 no network uses. */
    public static long nextVxlanId(Collection<Network> networks) {
        Set<Long> used = new HashSet<>();
        for (Network n : networks) {
            used.add(n.vxlanId);
        }
        long id = FIRST_VXLAN_ID;
        while (used.contains(id)) {
            id++;
        }
        return id;
    }

    /** Docker's default gateway: the subnet's first address. */
    public static String gateway(Cidr subnet) {
        return Cidr.format(subnet.base() + 1);
    }
}
