package io.skep.network.overlay;

import io.skep.spi.network.MacAddress;
import io.skep.spi.network.PeerEndpoint;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network's peer table on one node, as the kernel keeps it on the network's VXLAN device: a static FDB entry per
 * remote MAC (which node to tunnel its frames to) and a permanent neighbour entry per remote address (its MAC, so
 * that the device answers the local endpoints' ARP requests itself and no broadcast crosses the underlay). This
 * class reads the kernel's listings and plans the commands that turn them into a desired table.
 */
final class PeerTable {

    /** One static FDB entry of the VXLAN device: frames to {@code mac} go to the node at {@code node}. */
    record FdbEntry(String mac, String node) {}

    /** The commands that bring the kernel's table to the desired one: for {@code bridge -batch} and {@code ip -batch}. */
    record Plan(List<String> bridgeCommands, List<String> ipCommands) {
        boolean isEmpty() {
            return bridgeCommands.isEmpty() && ipCommands.isEmpty();
        }
    }

    private PeerTable() {}

    /**
     * Reads {@code bridge fdb show dev <vxlan>}: the entries with a destination ({@code 02:42:c6:12:00:03 dst
     * 192.0.2.2 self permanent}); the bridge's own entries for the port ({@code ... master br0 ...}) have none.
     */
    static List<FdbEntry> parseFdb(String listing) {
        List<FdbEntry> out = new ArrayList<>();
        for (String line : listing.lines().toList()) {
            String[] words = line.strip().split("\\s+");
            for (int i = 1; i + 1 < words.length; i++) {
                if (words[i].equals("dst")) {
                    out.add(new FdbEntry(words[0].toLowerCase(java.util.Locale.ROOT), words[i + 1]));
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Reads {@code ip neigh show dev <vxlan>}: the permanent entries ({@code 198.18.0.3 lladdr 02:42:c6:12:00:03
     * PERMANENT}), by address. Entries the kernel made itself are not the table's and are left alone.
     */
    static Map<String, String> parseNeighbours(String listing) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : listing.lines().toList()) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 4 && words[1].equals("lladdr") && words[words.length - 1].equals("PERMANENT")) {
                out.put(words[0], words[2].toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    /**
     * The commands that make the device's table exactly {@code peers}: stale entries deleted, missing or changed
     * ones replaced, entries already right untouched (so the same table again plans nothing).
     *
     * @param self this node's own data-path address: peers there are local endpoints and are left out
     */
    static Plan plan(
            String device,
            List<FdbEntry> currentFdb,
            Map<String, String> currentNeighbours,
            List<PeerEndpoint> peers,
            InetAddress self) {
        // the desired table, by MAC and by address (a later row for the same key wins)
        Map<String, String> nodeByMac = new LinkedHashMap<>();
        Map<String, String> macByAddress = new LinkedHashMap<>();
        for (PeerEndpoint peer : peers) {
            if (peer.node().equals(self)) {
                continue;
            }
            MacAddress mac = peer.mac();
            nodeByMac.put(mac.text(), peer.node().getHostAddress());
            macByAddress.put(peer.address().getHostAddress(), mac.text());
        }
        List<String> bridge = new ArrayList<>();
        Map<String, List<String>> currentNodesByMac = new LinkedHashMap<>();
        for (FdbEntry e : currentFdb) {
            currentNodesByMac.computeIfAbsent(e.mac(), k -> new ArrayList<>()).add(e.node());
        }
        for (var e : currentNodesByMac.entrySet()) {
            String wanted = nodeByMac.get(e.getKey());
            for (String node : e.getValue()) {
                // a MAC with several destinations keeps only the wanted one
                if (wanted == null || (!node.equals(wanted) && e.getValue().size() > 1)) {
                    bridge.add("fdb del " + e.getKey() + " dev " + device + " dst " + node + " self");
                }
            }
        }
        nodeByMac.forEach((mac, node) -> {
            List<String> now = currentNodesByMac.getOrDefault(mac, List.of());
            if (!now.equals(List.of(node))) {
                // replace, not append: when a MAC moves to another node its one destination changes
                bridge.add("fdb replace " + mac + " dev " + device + " dst " + node + " self permanent");
            }
        });
        List<String> ip = new ArrayList<>();
        currentNeighbours.forEach((address, mac) -> {
            if (!macByAddress.containsKey(address)) {
                ip.add("neigh del " + address + " dev " + device);
            }
        });
        macByAddress.forEach((address, mac) -> {
            if (!mac.equals(currentNeighbours.get(address))) {
                ip.add("neigh replace " + address + " lladdr " + mac + " dev " + device + " nud permanent");
            }
        });
        return new Plan(List.copyOf(bridge), List.copyOf(ip));
    }
}
