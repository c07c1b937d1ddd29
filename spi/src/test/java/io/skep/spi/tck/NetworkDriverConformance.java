package io.skep.spi.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.skep.spi.PluginConfig;
import io.skep.spi.network.Cidr;
import io.skep.spi.network.Endpoint;
import io.skep.spi.network.MacAddress;
import io.skep.spi.network.NetworkDefinition;
import io.skep.spi.network.NetworkDriver;
import io.skep.spi.network.NetworkDriverContext;
import io.skep.spi.network.NetworkDriverException;
import io.skep.spi.network.NetworkDriverProvider;
import io.skep.spi.network.PeerEndpoint;
import io.skep.spi.network.VirtualService;
import io.skep.spi.runtime.Availability;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit of the {@link io.skep.spi.network network driver SPI}: what every
 * {@link NetworkDriverProvider} and {@link NetworkDriver} must do, checked with real traffic between real network
 * namespaces. A vendor extends this class and provides its provider:
 *
 * <pre>{@code
 * class MyDriverConformanceTest extends NetworkDriverConformance {
 *     protected NetworkDriverProvider provider() {
 *         return new MyDriverProvider();
 *     }
 * }
 * }</pre>
 *
 * <p>Each test builds two nodes: network namespaces {@code n1} and {@code n2} joined by veth pairs to a bridge in a
 * third ({@code hub}), with the data-path addresses {@code 192.0.2.1} and {@code 192.0.2.2}, and a driver opened for
 * each with {@link NetworkDriverContext#nodeNamespace()} set to its node's namespace. Tasks are bare namespaces:
 * {@code t1} and {@code t3} on node 1, {@code t2} on node 2. Networks use {@code 198.18.0.0/24}. Traffic is
 * busybox's {@code ping} and {@code nc} run in the task namespaces, with busybox's {@code httpd} as the servers (on
 * the nodes' service addresses, on the underlay, in tasks behind a VIP; a CGI script answers the client's address
 * as the server saw it), so the tests need root, iproute2, nftables and {@code /bin/busybox}: without them they are
 * skipped, unless {@code SKEP_REQUIRE_NETNS=1} (CI) makes that a
 * failure. Everything a test makes is removed after it, whether it passed or not: the drivers'
 * {@link NetworkDriver#releaseAllExcept releaseAllExcept} of nothing, then the kit's namespaces.
 */
public abstract class NetworkDriverConformance {

    /** The kit's namespaces: {@code tckn-<pid of the JVM>-<random>-<role>}. */
    private static final Pattern NAMESPACE = Pattern.compile("tckn-(\\d+)-[a-z0-9]+-[a-z0-9]+");

    private static final String BUSYBOX = "/bin/busybox";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final String GATEWAY = "198.18.0.1";
    /** The node's service address in the kit: the default. */
    private static final String SERVICE = NetworkDriverContext.DEFAULT_SERVICE_ADDRESS.getHostAddress();
    /** A service's virtual IP on the test network, which no endpoint has. */
    private static final String VIP = "198.18.0.100";

    @TempDir
    Path stateDir;

    private String tag;
    private final List<String> namespaces = new ArrayList<>();
    private NetworkDriver node1;
    private NetworkDriver node2;
    private final List<Process> servers = new ArrayList<>();

    // ---------------------------------------------------------------- what a vendor provides

    /** The driver's provider, as {@link java.util.ServiceLoader} would create it (a new one per call). */
    protected abstract NetworkDriverProvider provider();

    /** The settings the drivers are configured with, by option name (none by default: every option's default). */
    protected Map<String, String> pluginOptions() {
        return Map.of();
    }

    /** How long a test waits for traffic that should flow at once (the first ping resolves addresses). */
    protected Duration timeout() {
        return Duration.ofSeconds(10);
    }

    // ---------------------------------------------------------------- the two nodes

    @BeforeAll
    static void removeLeftoversOfCrashedRuns() {
        String missing = unavailableReason();
        if (missing != null) {
            return;
        }
        for (String ns : namespaceList()) {
            Matcher m = NAMESPACE.matcher(ns);
            if (m.matches()
                    && !ProcessHandle.of(Long.parseLong(m.group(1)))
                            .map(ProcessHandle::isAlive)
                            .orElse(false)) {
                run("ip", "netns", "delete", ns);
            }
        }
    }

    @BeforeEach
    final void buildTwoNodes() throws Exception {
        String missing = unavailableReason();
        if (missing != null) {
            if ("1".equals(System.getenv("SKEP_REQUIRE_NETNS"))) {
                fail("SKEP_REQUIRE_NETNS=1, but the network driver kit cannot run: " + missing);
            }
            assumeTrue(
                    false,
                    "the network driver kit cannot run here (" + missing
                            + "; SKEP_REQUIRE_NETNS=1 makes this a failure)");
        }
        tag = "tckn-" + ProcessHandle.current().pid() + "-"
                + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        String hub = make("hub");
        ok("ip", "-n", hub, "link", "add", "br0", "type", "bridge");
        ok("ip", "-n", hub, "link", "set", "br0", "up");
        for (int i = 1; i <= 2; i++) {
            String node = make("n" + i);
            ok("ip", "-n", hub, "link", "add", "n" + i, "type", "veth", "peer", "name", "eth0", "netns", node);
            ok("ip", "-n", hub, "link", "set", "n" + i, "master", "br0", "up");
            ok("ip", "-n", node, "addr", "add", underlay(i) + "/24", "dev", "eth0");
            ok("ip", "-n", node, "link", "set", "eth0", "up");
        }
        for (String task : List.of("t1", "t2", "t3")) {
            make(task);
        }
        node1 = open(1);
        node2 = open(2);
    }

    @AfterEach
    final void removeEverything() {
        List<String> problems = new ArrayList<>();
        for (Process server : servers) {
            server.destroyForcibly();
        }
        servers.clear();
        for (NetworkDriver driver : new NetworkDriver[] {node1, node2}) {
            if (driver != null) {
                try {
                    driver.releaseAllExcept(List.of());
                } catch (NetworkDriverException | RuntimeException e) {
                    problems.add(e.toString());
                }
                driver.close();
            }
        }
        for (String ns : namespaces) {
            run("ip", "netns", "delete", ns);
        }
        namespaces.clear();
        assertTrue(problems.isEmpty(), () -> "releasing everything after the test failed: " + problems);
    }

    private String make(String role) {
        String ns = tag + "-" + role;
        ok("ip", "netns", "add", ns);
        namespaces.add(ns);
        ok("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    private NetworkDriver open(int node) throws Exception {
        NetworkDriverProvider provider = provider();
        provider.configure(PluginConfig.of(provider.name(), provider.options(), pluginOptions()));
        NetworkDriverContext context = context(node);
        Availability availability = provider.probe(context);
        if (!availability.available() && "1".equals(System.getenv("SKEP_REQUIRE_NETNS"))) {
            fail("SKEP_REQUIRE_NETNS=1, but " + provider.name() + " cannot run here: " + availability.reason());
        }
        assumeTrue(availability.available(), () -> provider.name() + " cannot run here: " + availability.reason());
        NetworkDriver driver = provider.open(context);
        assertNotNull(driver, "open() returned null");
        return driver;
    }

    /** The context of node 1 or 2: its ID, address, state directory and namespace. */
    protected final NetworkDriverContext context(int node) throws IOException {
        Path dir = Files.createDirectories(stateDir.resolve("node" + node));
        return NetworkDriverContext.builder(nodeId(node), Cidr.literal(underlay(node)), dir)
                .nodeNamespace(namespacePath("n" + node))
                .build();
    }

    /** The ID of node 1 or 2 in this test: unique to the test, so that parallel runs on one host do not meet. */
    protected final String nodeId(int node) {
        return "tck" + tag.substring(tag.lastIndexOf('-') + 1) + "n" + node;
    }

    /** The driver of node 1 or 2. */
    protected final NetworkDriver driver(int node) {
        return node == 1 ? node1 : node2;
    }

    /** A namespace of the test: {@code hub}, {@code n1}, {@code n2}, {@code t1}, {@code t2} or {@code t3}. */
    protected final String namespace(String role) {
        return tag + "-" + role;
    }

    /** That namespace as a file. */
    protected final Path namespacePath(String role) {
        return Path.of("/var/run/netns", namespace(role));
    }

    /** Node {@code i}'s data-path address: {@code 192.0.2.<i>}. */
    protected static String underlay(int node) {
        return "192.0.2." + node;
    }

    // ---------------------------------------------------------------- networks, endpoints and peers of the tests

    /** The test network: VXLAN ID 4097, 198.18.0.0/24, gateway .1. */
    protected static NetworkDefinition network(boolean internal) {
        return NetworkDefinition.builder(
                        "tcknet" + (internal ? "internal" : ""), 4097, Cidr.parse("198.18.0.0/24"), ip(GATEWAY))
                .name(internal ? "tck-internal" : "tck-net")
                .internal(internal)
                .build();
    }

    /** Task {@code tN}'s address: {@code 198.18.0.<N+1>}. */
    protected static String address(String task) {
        return "198.18.0." + (Integer.parseInt(task.substring(1)) + 1);
    }

    /** Task {@code tN}'s endpoint: its namespace, {@code eth0}, its address, Docker's MAC. */
    protected final Endpoint endpoint(String task) {
        return Endpoint.builder("tck-task-" + task, namespacePath(task))
                .address(Cidr.parse(address(task) + "/24"))
                .build();
    }

    /** Task {@code tN} as a peer held by {@code node}. */
    protected static PeerEndpoint peer(String task, int node) {
        return PeerEndpoint.of(ip(address(task)), ip(underlay(node)));
    }

    private static Inet4Address ip(String text) {
        return (Inet4Address) Cidr.literal(text);
    }

    /** Prepares the network on both nodes, attaches t1 on node 1 and t2 on node 2, and gives each the other. */
    private void connectT1AndT2(NetworkDefinition net) throws NetworkDriverException {
        node1.prepare(net);
        node2.prepare(net);
        node1.attach(net, endpoint("t1"));
        node2.attach(net, endpoint("t2"));
        node1.setPeers(net, List.of(peer("t2", 2)));
        node2.setPeers(net, List.of(peer("t1", 1)));
    }

    // ---------------------------------------------------------------- the tests

    @Test
    void theProviderLoadsThroughServiceLoaderAndNamesItself() {
        // the kit may run inside a named module that declares no `uses` (addUses does nothing in an unnamed one)
        NetworkDriverConformance.class.getModule().addUses(NetworkDriverProvider.class);
        NetworkDriverProvider provider = provider();
        List<NetworkDriverProvider> loaded = ServiceLoader.load(NetworkDriverProvider.class).stream()
                .filter(p -> p.type() == provider.getClass())
                .map(ServiceLoader.Provider::get)
                .toList();
        assertEquals(
                1,
                loaded.size(),
                "ServiceLoader finds " + provider.getClass().getName() + " once (a `provides`"
                        + " in the plugin's module-info, or META-INF/services on the class path)");
        String name = loaded.getFirst().name();
        assertFalse(name.isBlank(), "name() is empty");
        assertEquals(name.toLowerCase(Locale.ROOT), name, "name() is lower case");
        assertEquals(provider.name(), name, "every instance names the driver alike");
    }

    @Test
    void tasksOnTwoNodesReachEachOther() throws Exception {
        NetworkDefinition net = network(false);
        connectT1AndT2(net);
        awaitReachable("t1", "t2");
        awaitReachable("t2", "t1");
        assertTcpCarries("t1", "t2", 1 << 20);

        String link = ok("ip", "-n", namespace("t1"), "-o", "link", "show", "dev", "eth0");
        assertTrue(link.contains("link/ether " + MacAddress.fromIpv4(ip(address("t1")))), link);
        assertTrue(link.contains(",UP") || link.contains("<UP"), link);
        String addresses = ok("ip", "-n", namespace("t1"), "-o", "addr", "show", "dev", "eth0");
        assertTrue(addresses.contains("inet " + address("t1") + "/24 "), addresses);
        String route = ok("ip", "-n", namespace("t1"), "route", "show", "default");
        assertTrue(route.contains("default via " + GATEWAY + " dev eth0"), route);
    }

    @Test
    void tasksOnOneNodeReachEachOtherWithoutPeers() throws Exception {
        NetworkDefinition net = network(false);
        node1.prepare(net);
        node1.attach(net, endpoint("t1"));
        node1.attach(net, endpoint("t3").toBuilder().interfaceName("eth7").build()); // any name the caller picks
        // a peer table that lists the node's own endpoints changes nothing for them
        node1.setPeers(net, List.of(peer("t1", 1), peer("t3", 1)));
        awaitReachable("t1", "t3");
        awaitReachable("t3", "t1");
        assertTrue(ok("ip", "-n", namespace("t3"), "-o", "link", "show").contains(" eth7"));
        assertTrue(reaches("t1", GATEWAY), "the gateway's address answers on the network");
    }

    @Test
    void everyCallTwiceChangesNothing() throws Exception {
        NetworkDefinition net = network(false);
        connectT1AndT2(net);
        awaitReachable("t1", "t2");
        String before = snapshot();
        connectT1AndT2(net);
        assertEquals(before, snapshot(), "calling everything again changed the kernel's state");
        awaitReachable("t1", "t2");
        assertTcpCarries("t2", "t1", 64 << 10);
    }

    @Test
    void aNewDriverOnTheSameNodeTakesOverWhatIsThere() throws Exception {
        NetworkDefinition net = network(false);
        connectT1AndT2(net);
        awaitReachable("t1", "t2");
        String before = snapshot();
        node1.close();
        node1 = open(1); // a restart of node 1: the same calls again resync it
        node1.releaseAllExcept(List.of(net));
        connectT1AndT2(net);
        assertEquals(before, snapshot(), "the restarted node's calls changed the kernel's state");
        awaitReachable("t1", "t2");
    }

    @Test
    void callsFromSeveralThreadsAtOnceAreSafe() throws Exception {
        NetworkDefinition net = network(false);
        NetworkDefinition other = NetworkDefinition.builder(
                        "tcknet2", 4098, Cidr.parse("198.18.1.0/24"), ip("198.18.1.1"))
                .build();
        inParallel(
                () -> node1.prepare(net),
                () -> node1.prepare(net),
                () -> node1.prepare(other),
                () -> node1.prepare(other),
                () -> node2.prepare(net));
        inParallel(
                () -> node1.attach(net, endpoint("t1")),
                () -> node1.attach(net, endpoint("t3")),
                () -> node1.setPeers(net, List.of(peer("t2", 2))),
                () -> node1.setPeers(other, List.of(peer("t2", 2))),
                () -> node2.attach(net, endpoint("t2")),
                () -> node2.setPeers(net, List.of(peer("t1", 1), peer("t3", 1))));
        awaitReachable("t1", "t3");
        awaitReachable("t3", "t2");
        awaitReachable("t2", "t1");
    }

    /** A call of the driver, for {@link #inParallel}. */
    @FunctionalInterface
    protected interface Call {
        void run() throws Exception;
    }

    /** Runs the calls at once, each on a thread of its own, and fails with the first that fails. */
    protected final void inParallel(Call... calls) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (Call call : calls) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                    call.run();
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
            running.add(done);
        }
        start.countDown();
        for (CompletableFuture<Void> done : running) {
            try {
                done.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                fail("a call made in parallel with others failed: " + e.getCause(), e.getCause());
            }
        }
    }

    @Test
    void detachRemovesTheEndpoint() throws Exception {
        NetworkDefinition net = network(false);
        connectT1AndT2(net);
        awaitReachable("t1", "t2");
        node2.detach(net, endpoint("t2").taskId());
        assertFalse(hasInterface("t2", "eth0"), "t2 still has eth0 after detach");
        assertFalse(reaches("t1", address("t2")), "t1 still reaches t2 after t2's detach");
        node2.detach(net, endpoint("t2").taskId()); // again: nothing to do
        node2.detach(net, "tck-task-never-attached");
        assertTrue(hasInterface("t1", "eth0"), "t1's endpoint went with t2's");
    }

    @Test
    void releaseRemovesTheDataPath() throws Exception {
        NetworkDefinition net = network(false);
        String devicesBefore = ok("ip", "-n", namespace("n1"), "-o", "link", "show");
        String routesBefore = ok("ip", "-n", namespace("n1"), "route", "show");
        String rulesBefore = ok("ip", "netns", "exec", namespace("n1"), "nft", "list", "ruleset");
        connectT1AndT2(net);
        awaitReachable("t1", "t2");
        node1.setServices(net, services("t2"));
        node1.release(net);
        assertFalse(hasInterface("t1", "eth0"), "t1 still has eth0 after its network's release");
        assertEquals(
                names(devicesBefore),
                names(ok("ip", "-n", namespace("n1"), "-o", "link", "show")),
                "the node's namespace keeps devices after the release");
        assertEquals(
                routesBefore,
                ok("ip", "-n", namespace("n1"), "route", "show"),
                "the node's namespace keeps routes after the release");
        assertEquals(
                rulesBefore,
                ok("ip", "netns", "exec", namespace("n1"), "nft", "list", "ruleset"),
                "the node's namespace keeps nftables rules after the release");
        assertFalse(reaches("t2", address("t1")), "t2 still reaches t1 after node 1 released the network");
        node1.release(net); // again: nothing to do
        node1.detach(net, endpoint("t1").taskId()); // on a released network: nothing to do

        // the network comes back as it was
        connectT1AndT2(net);
        awaitReachable("t1", "t2");
    }

    @Test
    void anInternalNetworkGivesNoDefaultRoute() throws Exception {
        NetworkDefinition net = network(true);
        connectT1AndT2(net);
        awaitReachable("t1", "t2");
        assertEquals(
                "", ok("ip", "-n", namespace("t1"), "route", "show", "default").strip());
        assertTrue(ok("ip", "-n", namespace("t1"), "-o", "addr", "show", "dev", "eth0")
                .contains("inet " + address("t1") + "/24 "));
    }

    @Test
    void aPeerTableWithoutAPeerMakesItUnreachable() throws Exception {
        NetworkDefinition net = network(false);
        connectT1AndT2(net);
        awaitReachable("t1", "t2");
        node1.setPeers(net, List.of());
        assertFalse(reaches("t1", address("t2")), "t1 still reaches t2 once node 1's table drops it");
        node1.setPeers(net, List.of(peer("t2", 2)));
        awaitReachable("t1", "t2");
        // a peer said to be on the wrong node is unreachable, and reachable again when the table is corrected
        node1.setPeers(net, List.of(wrongNode()));
        assertFalse(reaches("t1", address("t2")), "t1 reaches t2 through a node that does not hold it");
        node1.setPeers(net, List.of(peer("t2", 2)));
        awaitReachable("t1", "t2");
    }

    /** t2 as if node 3 (192.0.2.3, which does not exist) held it. */
    private static PeerEndpoint wrongNode() {
        return PeerEndpoint.of(ip(address("t2")), ip("192.0.2.3"));
    }

    @Test
    void callsOnANetworkThatIsNotPreparedFailNamingIt() {
        NetworkDefinition net = network(false);
        NetworkDriverException attach =
                assertThrows(NetworkDriverException.class, () -> node1.attach(net, endpoint("t1")));
        assertTrue(attach.getMessage().contains("tck-task-t1"), attach.getMessage());
        NetworkDriverException peers =
                assertThrows(NetworkDriverException.class, () -> node1.setPeers(net, List.of(peer("t2", 2))));
        assertNotNull(peers.getMessage());
        NetworkDriverException services =
                assertThrows(NetworkDriverException.class, () -> node1.setServices(net, services("t2")));
        assertNotNull(services.getMessage());
        assertFalse(hasInterface("t1", "eth0"));
    }

    @Test
    void attachRefusesANameTakenInTheTasksNamespace() throws Exception {
        NetworkDefinition net = network(false);
        node1.prepare(net);
        ok("ip", "-n", namespace("t1"), "link", "add", "eth0", "type", "veth", "peer", "name", "theirs");
        NetworkDriverException e = assertThrows(NetworkDriverException.class, () -> node1.attach(net, endpoint("t1")));
        assertTrue(e.getMessage().contains("eth0"), e.getMessage());
        assertTrue(hasInterface("t1", "theirs"), "the task's own eth0 was replaced");
    }

    // ---------------------------------------------------------------- the node's service address, the way out

    @Test
    void everyEndpointReachesItsNodesServiceAddressWithItsOwnAddress() throws Exception {
        NetworkDefinition net = network(false);
        connectT1AndT2(net);
        serve("n1", SERVICE + ":8053", "n1");
        serve("n2", SERVICE + ":8053", "n2");
        // the node's services see the task's own address: the DNS server answers by who asks
        assertEquals(address("t1"), awaitAnswer("t1", SERVICE, 8053, "/cgi-bin/peer"));
        assertEquals(address("t2"), awaitAnswer("t2", SERVICE, 8053, "/cgi-bin/peer"));
        assertEquals("n2", awaitAnswer("t2", SERVICE, 8053, "/"), "t2 reached another node's service address");
    }

    @Test
    void anInternalNetworkReachesTheServiceAddressAndNothingBeyond() throws Exception {
        NetworkDefinition net = network(true);
        connectT1AndT2(net);
        serve("n1", SERVICE + ":8053", "n1");
        serve("n2", SERVICE + ":8053", "n2");
        serve("n2", underlay(2) + ":8054", "beyond");
        assertEquals(address("t1"), awaitAnswer("t1", SERVICE, 8053, "/cgi-bin/peer"));
        assertEquals(address("t2"), awaitAnswer("t2", SERVICE, 8053, "/cgi-bin/peer"));
        assertEquals(
                "", ok("ip", "-n", namespace("t1"), "route", "show", "default").strip());
        // a task that makes its own way out through the gateway gets no further
        ok("ip", "-n", namespace("t1"), "route", "add", "default", "via", GATEWAY, "dev", "eth0");
        assertFalse(get("t1", underlay(2), 8054, "/").ok(), "an internal network's task reached the underlay");
        assertFalse(reaches("t1", underlay(2)), "an internal network's task pings the other node");
        assertFalse(reaches("t1", underlay(1)), "an internal network's task pings its node's underlay address");
        awaitReachable("t1", "t2"); // the network itself works
    }

    @Test
    void aNetworkWithAWayOutReachesBeyondTheNodeMasqueradedAndNoOtherNetwork() throws Exception {
        NetworkDefinition net = network(false);
        NetworkDefinition other = NetworkDefinition.builder(
                        "tcknet2", 4098, Cidr.parse("198.18.1.0/24"), ip("198.18.1.1"))
                .build();
        // node 2 is not on the networks: it has no way back to their subnets but node 1's underlay address
        node1.prepare(net);
        node1.prepare(other);
        node1.attach(net, endpoint("t1"));
        node1.attach(other, otherEndpoint("t3"));
        serve("n2", underlay(2) + ":8054", "beyond");
        assertEquals(underlay(1), awaitAnswer("t1", underlay(2), 8054, "/cgi-bin/peer"), "not masqueraded");
        assertEquals(underlay(1), awaitAnswer("t3", underlay(2), 8054, "/cgi-bin/peer"), "not masqueraded");
        assertTrue(reaches("t1", underlay(2)));
        // two networks of one node do not meet through it
        assertFalse(reaches("t1", "198.18.1.4"), "t1 reaches a task of another network");
        assertFalse(reaches("t3", address("t1")), "t3 reaches a task of another network");
    }

    /** Task {@code tN}'s endpoint on the kit's second network ({@code 198.18.1.0/24}): {@code 198.18.1.<N+1>}. */
    private Endpoint otherEndpoint(String task) {
        return Endpoint.builder("tck-task-" + task, namespacePath(task))
                .address(Cidr.parse("198.18.1." + (Integer.parseInt(task.substring(1)) + 1) + "/24"))
                .build();
    }

    // ---------------------------------------------------------------- services: VIPs and their backends

    @Test
    void connectionsToAVipGoToItsBackendsAtRandom() throws Exception {
        NetworkDefinition net = network(false);
        node1.prepare(net);
        node2.prepare(net);
        node1.attach(net, endpoint("t1"));
        node2.attach(net, endpoint("t2"));
        List<VirtualService> both = services("t2", "t3");
        node1.setServices(net, both);
        node2.setServices(net, both);
        node1.setServices(net, both); // again: nothing changes
        node1.attach(net, endpoint("t3")); // attached later: gets the services at attach
        node1.setPeers(net, List.of(peer("t2", 2)));
        node2.setPeers(net, List.of(peer("t1", 1), peer("t3", 1)));
        serve("t2", "8080", "t2");
        serve("t3", "8080", "t3");
        assertEquals("t2", awaitAnswer("t1", address("t2"), 8080, "/"));
        assertEquals("t3", awaitAnswer("t1", address("t3"), 8080, "/"));

        // every client, the backends among them (which may reach themselves), reaches both
        for (String client : List.of("t1", "t2", "t3")) {
            assertEquals(Set.of("t2", "t3"), answersOfTheVip(client, Set.of("t2", "t3")), client);
        }
        // UDP too: DNS queries to the VIP arrive at both backends (which refuse them: no server on port 53)
        countUdpDns("t2");
        countUdpDns("t3");
        for (int i = 0; i < 64 && (udpDnsCount("t2") == 0 || udpDnsCount("t3") == 0); i++) {
            Result query = run("ip", "netns", "exec", namespace("t1"), BUSYBOX, "nslookup", "tck.example", VIP);
            assertTrue(
                    query.stdout().contains("refused") || query.stderr().contains("refused"),
                    () -> "a query to the VIP was not refused at once by a backend: " + query);
        }
        assertTrue(udpDnsCount("t2") > 0 && udpDnsCount("t3") > 0, "UDP to the VIP did not reach both backends");

        // one backend left: only it gets new connections
        node1.setServices(net, services("t2"));
        node2.setServices(net, services("t2"));
        for (String client : List.of("t1", "t3")) {
            for (int i = 0; i < 8; i++) {
                assertEquals("t2", answer(get(client, VIP, 8080, "/")), client);
            }
        }

        // none: refused at once, not left to time out
        node1.setServices(net, services());
        long start = System.nanoTime();
        Result refused = get("t1", VIP, 8080, "/");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertFalse(refused.ok(), () -> "a VIP without backends answered: " + refused.stdout());
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, () -> "refusing took " + took);

        // a restarted node learns the endpoints to program again from the agent's attach calls
        node1.close();
        node1 = open(1);
        node1.releaseAllExcept(List.of(net));
        node1.prepare(net);
        node1.attach(net, endpoint("t1"));
        node1.attach(net, endpoint("t3"));
        node1.setServices(net, services("t3"));
        assertEquals("t3", awaitAnswer("t1", VIP, 8080, "/"));
        for (int i = 0; i < 8; i++) {
            assertEquals("t3", answer(get("t1", VIP, 8080, "/")));
        }
    }

    /** Counts the UDP packets to port 53 that arrive in task {@code task} (a table of the kit's, {@code tck}). */
    private void countUdpDns(String task) {
        Result r = runWithInput(
                null,
                "ip",
                "netns",
                "exec",
                namespace(task),
                "nft",
                "add table ip tck; add chain ip tck in"
                        + " { type filter hook input priority 0; }; add rule ip tck in udp dport 53 counter");
        assertTrue(r.ok(), () -> "counting DNS queries in " + task + " failed: " + r.stderr());
    }

    /** How many UDP packets to port 53 arrived in {@code task} since {@link #countUdpDns}. */
    private long udpDnsCount(String task) {
        Matcher m = Pattern.compile("counter packets (\\d+)")
                .matcher(ok("ip", "netns", "exec", namespace(task), "nft", "list", "table", "ip", "tck"));
        assertTrue(m.find(), "no counter in " + task);
        return Long.parseLong(m.group(1));
    }

    /** One service at {@link #VIP} whose backends are these tasks. */
    private static List<VirtualService> services(String... backends) {
        List<InetAddress> addresses = new ArrayList<>();
        for (String task : backends) {
            addresses.add(ip(address(task)));
        }
        return List.of(new VirtualService(ip(VIP), addresses));
    }

    /**
     * The answers a client gets from the VIP until it got all of {@code expected}: at most 64 connections (with two
     * backends chosen at random, one is missed that often with a chance of 2^-63).
     */
    private Set<String> answersOfTheVip(String client, Set<String> expected) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 64 && !seen.containsAll(expected); i++) {
            seen.add(answer(get(client, VIP, 8080, "/")));
        }
        return seen;
    }

    /**
     * Starts busybox httpd in namespace {@code role} on {@code bind} ({@code [address:]port}), serving {@code name}
     * at {@code /} and the client's address as the server sees it at {@code /cgi-bin/peer}. It is stopped after the
     * test.
     */
    protected final void serve(String role, String bind, String name) throws IOException {
        Path root = Files.createTempDirectory(stateDir, "www");
        Files.writeString(root.resolve("index.html"), name + "\n");
        Path cgi = Files.createDirectories(root.resolve("cgi-bin")).resolve("peer");
        Files.writeString(cgi, "#!" + BUSYBOX + " sh\necho 'Content-Type: text/plain'\necho\necho \"$REMOTE_ADDR\"\n");
        assertTrue(cgi.toFile().setExecutable(true), "cannot make " + cgi + " executable");
        Process server = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        namespace(role),
                        BUSYBOX,
                        "httpd",
                        "-f",
                        "-p",
                        bind,
                        "-h",
                        root.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        servers.add(server);
    }

    /** An HTTP GET with busybox nc from task {@code from} (connect timeout 3 s). */
    protected final Result get(String from, String host, int port, String path) {
        try {
            Path request = Files.createTempFile(stateDir, "get", ".http");
            Files.writeString(request, "GET " + path + " HTTP/1.0\r\n\r\n");
            return runWithInput(
                    request.toFile(),
                    "ip",
                    "netns",
                    "exec",
                    namespace(from),
                    BUSYBOX,
                    "nc",
                    "-w",
                    "3",
                    host,
                    Integer.toString(port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of an answer of a {@link #serve} server (its last line), or empty when there is none. */
    private static String answer(Result r) {
        if (!r.ok() || !r.stdout().startsWith("HTTP/1.")) {
            return "";
        }
        String last = r.stdout().strip().lines().toList().getLast().strip();
        return last.replaceFirst("^\\[::ffff:(.*)]$", "$1"); // a server on every address sees IPv4 mapped
    }

    /** Waits until {@link #get} from {@code from} is answered, and returns the answer's body. */
    protected final String awaitAnswer(String from, String host, int port, String path) {
        String[] got = {""};
        await(
                from + " gets an answer from " + host + ":" + port + path,
                timeout(),
                () -> !(got[0] = answer(get(from, host, port, path))).isEmpty());
        return got[0];
    }

    // ---------------------------------------------------------------- traffic

    /** Whether one ping from {@code from} to {@code address} is answered within a second. */
    protected final boolean reaches(String from, String address) {
        return run("ip", "netns", "exec", namespace(from), BUSYBOX, "ping", "-c", "1", "-W", "1", address)
                .ok();
    }

    /** Waits until task {@code from} reaches task {@code to} (the first ping waits for neighbour resolution). */
    protected final void awaitReachable(String from, String to) {
        await(from + " reaches " + to + " (" + address(to) + ")", timeout(), () -> reaches(from, address(to)));
    }

    /** Sends {@code bytes} random bytes over TCP from task {@code from} to task {@code to} and checks they arrive. */
    protected final void assertTcpCarries(String from, String to, int bytes) throws Exception {
        byte[] payload = new byte[bytes];
        new Random(bytes).nextBytes(payload);
        Path input = Files.createTempFile(stateDir, "tcp", ".in");
        Files.write(input, payload);
        // the server's standard input stays open (a pipe we never close): busybox nc would end at its EOF
        Process server = new ProcessBuilder("ip", "netns", "exec", namespace(to), BUSYBOX, "nc", "-l", "-p", "7000")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> copy(server.getInputStream(), received));
            await(
                    "a TCP connection from " + from + " to " + to + ":7000 is accepted",
                    timeout(),
                    () -> runWithInput(
                                    new File(input.toString()),
                                    "ip",
                                    "netns",
                                    "exec",
                                    namespace(from),
                                    BUSYBOX,
                                    "nc",
                                    address(to),
                                    "7000")
                            .ok());
            await(bytes + " bytes arrive at " + to, timeout(), () -> size(received) >= bytes);
            server.destroy();
            reader.join(timeout().toMillis());
            byte[] got;
            synchronized (received) {
                got = received.toByteArray();
            }
            assertArrayEquals(payload, got, "the bytes that crossed the overlay differ from those sent");
        } finally {
            server.destroyForcibly();
        }
    }

    private static int size(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.size();
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buffer = new byte[64 << 10];
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // the server was stopped
        }
    }

    // ---------------------------------------------------------------- plumbing

    private boolean hasInterface(String task, String name) {
        return run("ip", "-n", namespace(task), "link", "show", "dev", name).ok();
    }

    /**
     * What a second round of calls must not change: the tasks' interfaces (with their indexes, so a device made
     * again shows), addresses and routes, and the nodes' devices.
     */
    private String snapshot() {
        StringBuilder out = new StringBuilder();
        for (String ns : List.of("t1", "t2", "t3", "n1", "n2")) {
            out.append("== ").append(ns).append('\n');
            out.append(ok("ip", "-n", namespace(ns), "-o", "link", "show"));
            // IPv4 only: IPv6 link-local addresses change on their own (duplicate address detection)
            out.append(ok("ip", "-n", namespace(ns), "-4", "-o", "addr", "show"));
            out.append(ok("ip", "-n", namespace(ns), "route", "show"));
        }
        return out.toString();
    }

    /** The interface names in an {@code ip -o link show} listing. */
    private static List<String> names(String listing) {
        return listing.lines()
                .map(l -> l.replaceFirst("^\\d+:\\s+([^:@\\s]+).*", "$1"))
                .sorted()
                .toList();
    }

    /** Polls {@code condition} until it holds, or fails after {@code timeout}. */
    protected static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** What a command did. */
    protected record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs a command, which must succeed; returns its output. */
    protected static String ok(String... command) {
        Result r = run(command);
        if (!r.ok()) {
            fail(String.join(" ", command) + " failed (exit " + r.exitCode() + "): "
                    + r.stderr().strip());
        }
        return r.stdout();
    }

    /** Runs a command with no input. */
    protected static Result run(String... command) {
        return runWithInput(null, command);
    }

    private static Result runWithInput(File stdin, String... command) {
        try {
            Path out = Files.createTempFile("skep-tck", ".out");
            Path err = Files.createTempFile("skep-tck", ".err");
            try {
                Process p = new ProcessBuilder(command)
                        .redirectInput(stdin == null ? new File("/dev/null") : stdin)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    fail(String.join(" ", command) + " did not end in " + COMMAND_TIMEOUT.toSeconds() + " s");
                }
                return new Result(
                        p.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Why the kit cannot run here (not root, no {@code ip netns}, no busybox), or null. */
    static String unavailableReason() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return "not Linux";
        }
        if (!Files.isExecutable(Path.of(BUSYBOX))) {
            return "no " + BUSYBOX + " (busybox-static) for ping and nc";
        }
        try {
            if (!run("id", "-u").stdout().strip().equals("0")) {
                return "not root";
            }
            Result ip = run("ip", "netns", "list");
            if (!ip.ok()) {
                return "ip netns does not work: " + ip.stderr().strip();
            }
        } catch (RuntimeException e) {
            return "no ip: " + e.getMessage();
        }
        try {
            Result nft = run("nft", "--version");
            if (!nft.ok()) {
                return "nft does not work: " + nft.stderr().strip();
            }
        } catch (RuntimeException e) {
            return "no nft (nftables): " + e.getMessage();
        }
        return null;
    }

    private static List<String> namespaceList() {
        return run("ip", "netns", "list")
                .stdout()
                .lines()
                .map(l -> l.strip().split("\\s+")[0])
                .filter(n -> !n.isEmpty())
                .toList();
    }
}
