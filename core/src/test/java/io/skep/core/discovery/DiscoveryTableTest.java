package io.skep.core.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.skep.api.model.Task;
import io.skep.core.discovery.DiscoveryTable.Answer;
import io.skep.core.discovery.DiscoveryTable.Forward;
import io.skep.core.discovery.DiscoveryTable.Local;
import io.skep.core.discovery.DiscoveryTable.Pointer;
import io.skep.core.discovery.DiscoveryTable.Refused;
import io.skep.core.discovery.DiscoveryTable.Type;
import io.skep.core.dispatcher.NetworkView;
import io.skep.core.dispatcher.NetworkView.ServiceEntry;
import io.skep.core.dispatcher.NetworkView.TaskEntry;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The lookup rules of service discovery, as Docker's embedded DNS answers a task. */
class DiscoveryTableTest {
    static final String FRONT = "net-front";
    static final String BACK = "net-back";

    /** {@code web} (VIP) and {@code db} (dnsrr) on front; {@code web} again (another VIP) and {@code cache} on back. */
    static final List<NetworkView> NETWORKS = List.of(
            new NetworkView(
                    FRONT,
                    List.of(),
                    List.of(
                            new ServiceEntry(
                                    "svc-web",
                                    "web",
                                    List.of("www"),
                                    "198.18.0.2",
                                    List.of(
                                            new TaskEntry("t1", "web.1.t1", "198.18.0.5", List.of("first")),
                                            new TaskEntry("t2", "web.2.t2", "198.18.0.6", List.of()))),
                            new ServiceEntry(
                                    "svc-db",
                                    "db",
                                    List.of(),
                                    null,
                                    List.of(
                                            new TaskEntry("t3", "db.1.t3", "198.18.0.7", List.of()),
                                            new TaskEntry("t4", "db.2.t4", "198.18.0.8", List.of()))),
                            new ServiceEntry("svc-idle", "idle", List.of(), null, List.of()))),
            new NetworkView(
                    BACK,
                    List.of(),
                    List.of(
                            new ServiceEntry(
                                    "svc-web",
                                    "web",
                                    List.of(),
                                    "198.19.0.2",
                                    List.of(new TaskEntry("t1", "web.1.t1", "198.19.0.5", List.of()))),
                            new ServiceEntry(
                                    "svc-cache",
                                    "cache",
                                    List.of(),
                                    "198.19.0.3",
                                    List.of(new TaskEntry("t9", "cache.1.t9", "198.19.0.9", List.of()))))));

    static Task task(String id, String state, String... networkAndAddress) {
        Task task = new Task();
        task.id = id;
        task.status.state = state;
        task.networksAttachments = new java.util.ArrayList<>();
        for (int i = 0; i < networkAndAddress.length; i += 2) {
            Task.NetworkAttachment attachment = new Task.NetworkAttachment();
            attachment.network = new Task.AttachedNetwork();
            attachment.network.id = networkAndAddress[i];
            attachment.network.spec = Map.of("Name", networkAndAddress[i].replaceFirst("^net-", ""));
            attachment.addresses = List.of(networkAndAddress[i + 1]);
            task.networksAttachments.add(attachment);
        }
        return task;
    }

    /** A front-only task, a task on both networks, a back-only task, and an ended front task. */
    final DiscoveryTable table = DiscoveryTable.of(
            List.of(
                    task("a", "running", FRONT, "198.18.0.5/24"),
                    task("b", "running", FRONT, "198.18.0.20/24", BACK, "198.19.0.20/24"),
                    task("c", "starting", BACK, "198.19.0.21/24"),
                    task("d", "shutdown", FRONT, "198.18.0.99/24")),
            NETWORKS);

    static InetAddress ip(String literal) {
        return IpLiterals.parse(literal);
    }

    static Set<String> addresses(Answer answer) {
        return assertInstanceOf(Local.class, answer).addresses().stream()
                .map(InetAddress::getHostAddress)
                .collect(Collectors.toSet());
    }

    static Set<String> set(String... addresses) {
        return Set.copyOf(Arrays.asList(addresses));
    }

    @Test
    void aServiceResolvesToItsVipAndInDnsrrModeToItsTasks() {
        assertEquals(set("198.18.0.2"), addresses(table.resolve(ip("198.18.0.5"), "web", Type.A)));
        assertEquals(set("198.18.0.7", "198.18.0.8"), addresses(table.resolve(ip("198.18.0.5"), "db", Type.A)));
    }

    @Test
    void tasksDotNameResolvesToTheRunningTasks() {
        assertEquals(set("198.18.0.5", "198.18.0.6"), addresses(table.resolve(ip("198.18.0.5"), "tasks.web", Type.A)));
        assertEquals(set("198.18.0.5", "198.18.0.6"), addresses(table.resolve(ip("198.18.0.5"), "tasks.www", Type.A)));
    }

    @Test
    void aliasesAndTaskNamesResolve() {
        InetAddress asker = ip("198.18.0.5");
        assertEquals(set("198.18.0.2"), addresses(table.resolve(asker, "www", Type.A)));
        assertEquals(set("198.18.0.6"), addresses(table.resolve(asker, "web.2.t2", Type.A)));
        assertEquals(set("198.18.0.5"), addresses(table.resolve(asker, "first", Type.A)));
    }

    @Test
    void namesAreCaseInsensitiveWithOrWithoutTheFinalDot() {
        InetAddress asker = ip("198.18.0.5");
        assertEquals(set("198.18.0.2"), addresses(table.resolve(asker, "WEB.", Type.A)));
        assertEquals(set("198.18.0.5", "198.18.0.6"), addresses(table.resolve(asker, "Tasks.Web", Type.A)));
    }

    @Test
    void anAskerSeesOnlyTheNamesOfItsNetworks() {
        assertInstanceOf(Forward.class, table.resolve(ip("198.18.0.5"), "cache", Type.A));
        assertEquals(set("198.19.0.3"), addresses(table.resolve(ip("198.19.0.21"), "cache", Type.A)));
        assertInstanceOf(Forward.class, table.resolve(ip("198.19.0.21"), "db", Type.A));
    }

    @Test
    void aNameOnSeveralOfTheAskersNetworksAnswersTheUnion() {
        assertEquals(set("198.18.0.2", "198.19.0.2"), addresses(table.resolve(ip("198.18.0.20"), "web", Type.A)));
        // the same asker by its other address
        assertEquals(set("198.18.0.2", "198.19.0.2"), addresses(table.resolve(ip("198.19.0.20"), "web", Type.A)));
    }

    @Test
    void aNameQualifiedByItsNetworksNameResolvesOnThatNetworkOnly() {
        InetAddress both = ip("198.18.0.20");
        assertEquals(set("198.18.0.2"), addresses(table.resolve(both, "web.front", Type.A)));
        assertEquals(set("198.19.0.2"), addresses(table.resolve(both, "WEB.back.", Type.A)));
        assertEquals(set("198.18.0.5", "198.18.0.6"), addresses(table.resolve(both, "tasks.web.front", Type.A)));
        assertEquals(set("198.18.0.6"), addresses(table.resolve(both, "web.2.t2.front", Type.A)));
        assertInstanceOf(Forward.class, table.resolve(ip("198.18.0.5"), "web.back", Type.A)); // not its network
        assertInstanceOf(Forward.class, table.resolve(both, "db.back", Type.A)); // db is on front
    }

    @Test
    void aTasksAddressResolvesBackToItsNameOnItsNetwork() {
        InetAddress asker = ip("198.18.0.5");
        assertEquals(new Pointer("web.2.t2.front"), table.resolve(asker, "6.0.18.198.in-addr.arpa.", Type.PTR));
        assertEquals(new Pointer("db.1.t3.front"), table.resolve(asker, "7.0.18.198.IN-ADDR.ARPA", Type.PTR));
        // the VIP and another network's tasks are not its to answer
        assertInstanceOf(Forward.class, table.resolve(asker, "2.0.18.198.in-addr.arpa", Type.PTR));
        assertInstanceOf(Forward.class, table.resolve(asker, "9.0.19.198.in-addr.arpa", Type.PTR));
        assertInstanceOf(Forward.class, table.resolve(asker, "18.198.in-addr.arpa", Type.PTR));
        assertInstanceOf(Refused.class, table.resolve(ip("192.0.2.1"), "6.0.18.198.in-addr.arpa", Type.PTR));
    }

    @Test
    void reverseNamesOfBothFamiliesParse() {
        assertEquals(ip("198.18.0.5"), ReverseNames.address("5.0.18.198.in-addr.arpa."));
        assertEquals(
                ip("2001:db8::567:89ab"),
                ReverseNames.address("b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"));
        assertEquals(null, ReverseNames.address("x.0.18.198.in-addr.arpa"));
        assertEquals(null, ReverseNames.address("0.18.198.in-addr.arpa"));
        assertEquals(null, ReverseNames.address("web"));
    }

    @Test
    void aKnownNameWithoutAddressesOfTheTypeIsAnEmptyAnswerNotAForward() {
        assertEquals(set(), addresses(table.resolve(ip("198.18.0.5"), "web", Type.AAAA)));
        assertEquals(set(), addresses(table.resolve(ip("198.18.0.5"), "web", Type.MX)));
        assertInstanceOf(Forward.class, table.resolve(ip("198.18.0.5"), "web", Type.OTHER));
        assertInstanceOf(Forward.class, table.resolve(ip("198.18.0.5"), "example.org", Type.AAAA));
    }

    @Test
    void aDnsrrServiceWithoutRunningTasksHasNoRecordsSoItsNameIsForwarded() {
        assertInstanceOf(Forward.class, table.resolve(ip("198.18.0.5"), "idle", Type.A));
        assertInstanceOf(Forward.class, table.resolve(ip("198.18.0.5"), "tasks.idle", Type.A));
    }

    @Test
    void onlyTheNodesLiveTasksMayAsk() {
        assertInstanceOf(Refused.class, table.resolve(ip("198.18.0.200"), "web", Type.A));
        assertInstanceOf(Refused.class, table.resolve(ip("198.18.0.99"), "web", Type.A)); // ended: its address is free
        assertInstanceOf(Refused.class, DiscoveryTable.EMPTY.resolve(ip("198.18.0.5"), "web", Type.A));
        assertInstanceOf(Refused.class, table.resolve(ip("198.18.0.200"), "example.org", Type.OTHER));
    }

    @Test
    void anIpv6TaskAddressAnswersAaaa() {
        NetworkView v6 = new NetworkView(
                "net-v6",
                List.of(),
                List.of(new ServiceEntry(
                        "s", "api", List.of(), null, List.of(new TaskEntry("t", "api.1.t", "fd00::5", List.of())))));
        DiscoveryTable t = DiscoveryTable.of(List.of(task("x", "running", "net-v6", "fd00::9/64")), List.of(v6));
        assertEquals(set("fd00:0:0:0:0:0:0:5"), addresses(t.resolve(ip("fd00::9"), "api", Type.AAAA)));
        assertEquals(set(), addresses(t.resolve(ip("fd00::9"), "api", Type.A)));
    }

    @Test
    void addressesAreParsedAsLiteralsNeverLookedUp() {
        assertEquals("198.18.0.5", IpLiterals.parse("198.18.0.5/24").getHostAddress());
        assertEquals(null, IpLiterals.parse("localhost"));
        assertEquals(null, IpLiterals.parse("198.18.0.256"));
        assertEquals(null, IpLiterals.parse("198.18.0"));
    }
}
