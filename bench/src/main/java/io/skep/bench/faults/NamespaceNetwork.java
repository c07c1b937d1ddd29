package io.skep.bench.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The harness's own network: one network namespace per node, each joined by a veth pair to one bridge, and
 * partitions made of nftables drops inside the node namespaces.
 *
 * <p>The bridge lives in a namespace of its own (the hub), not in the root namespace: there, a Docker engine's
 * {@code FORWARD} policy {@code DROP} applies to bridged traffic too ({@code br_netfilter}), and changing the host's
 * firewall to let ours through would be worse. So nothing of the harness's network is in the root namespace at
 * all: no address, no route, no interface; the nodes reach each other and nothing else. Their addresses come from
 * the benchmarking range 198.18.0.0/15 (RFC 2544).
 *
 * <p>Every name carries the run's tag, {@code skf-<pid of the harness JVM>-<random>}, so that parallel runs do not
 * collide, and a later run can tell a crashed run's leftovers (whose JVM is gone) from a live run's namespaces.
 */
public final class NamespaceNetwork implements AutoCloseable {
    static final String PREFIX = "skf-";
    /** {@code skf-<pid>-<random>-<role>}: the namespaces of one run. */
    private static final Pattern NAME = Pattern.compile("skf-(\\d+)-[a-z0-9]+-[a-z0-9]+");

    private static final String TABLE = "skep_faults";
    private static final Duration KILL_WAIT = Duration.ofSeconds(20);

    private final String tag;
    private final Set<Integer> partitioned = new HashSet<>();
    private boolean closed;

    private NamespaceNetwork(String tag) {
        this.tag = tag;
    }

    /** Creates the hub with its bridge and {@code nodes} node namespaces attached to it, each with its address. */
    static NamespaceNetwork create(int nodes) {
        String random = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        NamespaceNetwork net =
                new NamespaceNetwork(PREFIX + ProcessHandle.current().pid() + "-" + random);
        try {
            String hub = net.hub();
            Shell.ok("ip", "netns", "add", hub);
            Shell.ok("ip", "-n", hub, "link", "set", "lo", "up");
            Shell.ok("ip", "-n", hub, "link", "add", "br0", "type", "bridge");
            Shell.ok("ip", "-n", hub, "link", "set", "br0", "up");
            for (int i = 1; i <= nodes; i++) {
                String ns = net.namespace(i);
                Shell.ok("ip", "netns", "add", ns);
                // the veth's hub end is "n<i>" in the hub, its node end "eth0" in the node's namespace
                Shell.ok("ip", "-n", hub, "link", "add", "n" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
                Shell.ok("ip", "-n", hub, "link", "set", "n" + i, "master", "br0", "up");
                Shell.ok("ip", "-n", ns, "addr", "add", net.address(i) + "/24", "dev", "eth0");
                Shell.ok("ip", "-n", ns, "link", "set", "eth0", "up");
                Shell.ok("ip", "-n", ns, "link", "set", "lo", "up");
            }
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /** Node {@code i}'s namespace (1-based). */
    String namespace(int i) {
        return tag + "-n" + i;
    }

    String hub() {
        return tag + "-hub";
    }

    /** Node {@code i}'s address: 198.18.0.{10+i}. */
    String address(int i) {
        return "198.18.0." + (10 + i);
    }

    /**
     * Cuts the given links, both ways: each node drops what comes from, and what it would send to, the peers it
     * loses. A node with no cut link keeps no rule. Replaces any partition in place.
     *
     * @param cut pairs of nodes {@code {a, b}} (1-based) that must not see each other
     */
    void partition(Set<Set<Integer>> cut) {
        heal();
        Map<Integer, Set<String>> lost = new TreeMap<>();
        for (Set<Integer> link : cut) {
            List<Integer> ends = new ArrayList<>(link);
            if (ends.size() != 2) {
                throw new IllegalArgumentException("a link has two ends: " + link);
            }
            lost.computeIfAbsent(ends.get(0), k -> new TreeSet<>()).add(address(ends.get(1)));
            lost.computeIfAbsent(ends.get(1), k -> new TreeSet<>()).add(address(ends.get(0)));
        }
        for (var e : lost.entrySet()) {
            String peers = String.join(", ", e.getValue());
            String rules = """
                    table inet %1$s {
                      chain input { type filter hook input priority 0; policy accept; ip saddr { %2$s } drop; }
                      chain output { type filter hook output priority 0; policy accept; ip daddr { %2$s } drop; }
                    }
                    """.formatted(TABLE, peers);
            partitioned.add(e.getKey());
            Shell.okWithInput(rules, Shell.inNamespace(namespace(e.getKey()), "nft", "-f", "-"));
        }
    }

    /** Removes every partition rule: all nodes see each other again. */
    void heal() {
        for (int node : List.copyOf(partitioned)) {
            Shell.ok(Shell.inNamespace(namespace(node), "nft", "delete", "table", "inet", TABLE));
            partitioned.remove(node);
        }
    }

    /** Process IDs of everything running in node {@code i}'s namespace. */
    List<Long> pids(int i) {
        return pidsIn(namespace(i));
    }

    /** Kills every process in the run's namespaces and removes them (the veths and the bridge go with them). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> mine = new ArrayList<>();
        for (String ns : namespaces()) {
            if (ns.startsWith(tag + "-")) {
                mine.add(ns);
            }
        }
        remove(mine);
    }

    /**
     * Removes what crashed earlier runs left: namespaces of this harness whose JVM is gone, with every process in
     * them. A live run's namespaces (its JVM still runs) are left alone.
     *
     * @return the namespaces removed
     */
    static List<String> removeLeftovers() {
        List<String> stale = new ArrayList<>();
        for (String ns : namespaces()) {
            Matcher m = NAME.matcher(ns);
            if (m.matches()
                    && ProcessHandle.of(Long.parseLong(m.group(1)))
                                    .map(ProcessHandle::isAlive)
                                    .orElse(false)
                            == Boolean.FALSE) {
                stale.add(ns);
            }
        }
        remove(stale);
        return stale;
    }

    /** Whether this machine can run the harness: root, and {@code ip netns} and {@code nft} that work. */
    public static String unavailableReason() {
        try {
            if (!Shell.run(null, "id", "-u").stdout().strip().equals("0")) {
                return "not root";
            }
            Shell.Result ip = Shell.run(null, "ip", "netns", "list");
            if (!ip.ok()) {
                return "ip netns does not work: " + ip.stderr().strip();
            }
            Shell.Result nft = Shell.run(null, "nft", "--version");
            if (!nft.ok()) {
                return "nft does not work: " + nft.stderr().strip();
            }
        } catch (RuntimeException e) {
            return "no ip or nft: " + e.getMessage();
        }
        return null;
    }

    private static List<String> namespaces() {
        List<String> out = new ArrayList<>();
        for (String line : Shell.ok("ip", "netns", "list").lines().toList()) {
            String name = line.strip().split("\\s+")[0];
            if (name.startsWith(PREFIX)) {
                out.add(name);
            }
        }
        return out;
    }

    private static List<Long> pidsIn(String namespace) {
        Shell.Result r = Shell.run(null, "ip", "netns", "pids", namespace);
        if (!r.ok()) {
            return List.of();
        }
        return r.stdout()
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .map(Long::parseLong)
                .toList();
    }

    /** Kills the processes of each namespace (until none is left: a dying daemon's task may still be starting). */
    private static void remove(List<String> namespaces) {
        for (String ns : namespaces) {
            long deadline = System.nanoTime() + KILL_WAIT.toNanos();
            List<Long> pids = pidsIn(ns);
            while (!pids.isEmpty() && System.nanoTime() < deadline) {
                for (long pid : pids) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
                Thread.onSpinWait();
                pids = pidsIn(ns);
            }
            Shell.run(null, "ip", "netns", "delete", ns);
        }
    }
}
