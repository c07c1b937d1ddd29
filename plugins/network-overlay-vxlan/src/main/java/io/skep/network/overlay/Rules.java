package io.skep.network.overlay;

import io.skep.spi.network.NetworkDefinition;
import io.skep.spi.network.VirtualService;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The driver's nftables rules, as {@code nft -f} scripts. Each script replaces one table of the driver's whole, in
 * one transaction ({@code add} then {@code delete} the table, so that it need not exist, then write it anew): the
 * kernel never shows a half-written table, and the same script again leaves the same table.
 */
final class Rules {

    private Rules() {}

    /** A script that removes the table if it is there. */
    static String delete(String table) {
        return "add table ip " + table + "\ndelete table ip " + table + "\n";
    }

    /**
     * A network's rules in the node's namespace, where its gateway link {@code link} ends. A network with a way out
     * has its traffic that leaves the node masqueraded to the node's address (the links of the node's networks are
     * not a way out: nothing goes from one network to another through the node). An internal network has none: the
     * node forwards nothing from or to its link, and its endpoints reach the node's service address alone (a local
     * delivery, which forwarding rules do not see).
     */
    static String egress(String table, NetworkDefinition network, String link) {
        String links = "\"" + Names.NODE_LINK_PREFIX + "*\"";
        StringBuilder s = new StringBuilder(delete(table));
        s.append("table ip ").append(table).append(" {\n");
        if (network.internal()) {
            s.append("  chain forward {\n")
                    .append("    type filter hook forward priority filter; policy accept;\n")
                    .append("    iifname \"")
                    .append(link)
                    .append("\" drop\n")
                    .append("    oifname \"")
                    .append(link)
                    .append("\" drop\n")
                    .append("  }\n");
        } else {
            s.append("  chain forward {\n")
                    .append("    type filter hook forward priority filter; policy accept;\n")
                    .append("    iifname \"")
                    .append(link)
                    .append("\" oifname ")
                    .append(links)
                    .append(" drop\n")
                    .append("  }\n")
                    .append("  chain postrouting {\n")
                    .append("    type nat hook postrouting priority srcnat; policy accept;\n")
                    .append("    ip saddr ")
                    .append(network.subnet())
                    .append(" oifname != ")
                    .append(links)
                    .append(" masquerade\n")
                    .append("  }\n");
        }
        return s.append("}\n").toString();
    }

    /**
     * A network's services in a task's namespace: connections the task opens to a VIP are sent to one of its
     * backends at random (destination NAT where the task's packets leave it: its own conntrack translates the
     * replies back, so the backends need no rule), and refused at once for a VIP without backends. No services:
     * the table is removed.
     *
     * @throws IllegalArgumentException when a VIP is listed twice or an address is not IPv4
     */
    static String services(String table, List<VirtualService> services) {
        StringBuilder dnat = new StringBuilder();
        StringBuilder refuse = new StringBuilder();
        Set<InetAddress> vips = new HashSet<>();
        for (VirtualService service : services) {
            String vip = ipv4(service.vip(), "VIP");
            if (!vips.add(service.vip())) {
                throw new IllegalArgumentException("VIP " + vip + " is listed twice");
            }
            List<String> backends = new ArrayList<>();
            for (InetAddress backend : new LinkedHashSet<>(service.backends())) {
                backends.add(ipv4(backend, "backend of VIP " + vip));
            }
            if (backends.isEmpty()) {
                refuse.append("    ip daddr ")
                        .append(vip)
                        .append(" meta l4proto tcp reject with tcp reset\n")
                        .append("    ip daddr ")
                        .append(vip)
                        .append(" reject with icmp type port-unreachable\n");
            } else if (backends.size() == 1) {
                dnat.append("    ip daddr ")
                        .append(vip)
                        .append(" dnat to ")
                        .append(backends.getFirst())
                        .append('\n');
            } else {
                List<String> entries = new ArrayList<>();
                for (int i = 0; i < backends.size(); i++) {
                    entries.add(i + " : " + backends.get(i));
                }
                dnat.append("    ip daddr ")
                        .append(vip)
                        .append(" dnat to numgen random mod ")
                        .append(backends.size())
                        .append(" map { ")
                        .append(String.join(", ", entries))
                        .append(" }\n");
            }
        }
        StringBuilder s = new StringBuilder(delete(table));
        if (services.isEmpty()) {
            return s.toString();
        }
        s.append("table ip ").append(table).append(" {\n");
        // priority -100 (dstnat): before the conntrack entry is confirmed, as DNAT must be
        s.append("  chain output {\n")
                .append("    type nat hook output priority -100; policy accept;\n")
                .append(dnat)
                .append("  }\n");
        s.append("  chain refuse {\n")
                .append("    type filter hook output priority filter; policy accept;\n")
                .append(refuse)
                .append("  }\n");
        return s.append("}\n").toString();
    }

    private static String ipv4(InetAddress address, String what) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException(
                    what + " " + address.getHostAddress() + ": the overlay driver carries IPv4 only");
        }
        return address.getHostAddress();
    }
}
