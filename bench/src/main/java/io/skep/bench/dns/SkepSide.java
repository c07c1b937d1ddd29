package io.skep.bench.dns;

import io.skep.api.model.Task;
import io.skep.core.discovery.DiscoveryTable;
import io.skep.core.discovery.DnsServer;
import io.skep.core.dispatcher.NetworkView;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * skep's leg: the node's {@link DnsServer}, started in this JVM, and a network namespace for the generator joined to
 * this one by a veth pair, as a task's namespace reaches its node's service address. The server listens on the veth's
 * end here (port 53); its table knows the namespace's end as the address of a local task on the network
 * {@value #NETWORK}, where the service {@value #SERVICE} has a virtual IP (Docker Swarm's default endpoint mode): the
 * name asked for, and the address expected.
 */
final class SkepSide {
    static final String NETWORK = "bench";
    static final String SERVICE = DockerSide.NAME;

    private SkepSide() {}

    /**
     * The table a node holds when one of its tasks, at {@code asker}, is on {@value #NETWORK} with the service
     * {@value #SERVICE} (virtual IP {@code vip}, one task at {@code taskAddress}).
     */
    static DiscoveryTable table(InetAddress asker, InetAddress vip, InetAddress taskAddress) {
        Task task = new Task();
        task.id = "generator";
        task.status.state = "running";
        Task.NetworkAttachment attachment = new Task.NetworkAttachment();
        attachment.network = new Task.AttachedNetwork();
        attachment.network.id = "net-" + NETWORK;
        attachment.network.spec = Map.of("Name", NETWORK);
        attachment.addresses = List.of(asker.getHostAddress() + "/24");
        task.networksAttachments = List.of(attachment);
        NetworkView view = new NetworkView(
                "net-" + NETWORK,
                List.of(),
                List.of(new NetworkView.ServiceEntry(
                        "svc-" + SERVICE,
                        SERVICE,
                        List.of(),
                        vip.getHostAddress(),
                        List.of(new NetworkView.TaskEntry(
                                "task-1", SERVICE + ".1.task-1", taskAddress.getHostAddress(), List.of())))));
        return DiscoveryTable.of(List.of(task), List.of(view));
    }

    /**
     * Makes the namespace {@code skepbench-dns-<id>} and its veth pair with addresses from {@code prefix}
     * ({@code 198.19.251}: {@code .1} here, {@code .2} there, a /24; the service's VIP {@code .10} and task {@code .11}
     * are names' data only), starts the server on {@code .1:53}; registers
     * each undo with {@code undo} before the step.
     */
    static Target start(String id, String prefix, Undo undo) throws IOException, InterruptedException {
        String namespace = "skepbench-dns-" + id;
        String hostEnd = "sbdns" + id; // at most 15 characters: an interface name's limit
        InetAddress here = DnsLoad.ipv4("the node's end", prefix + ".1");
        InetAddress there = DnsLoad.ipv4("the task's end", prefix + ".2");
        undo.add(
                "remove the namespace " + namespace,
                () -> Commands.run(Commands.TIMEOUT, "ip", "netns", "delete", namespace));
        undo.add("remove the link " + hostEnd, () -> {
            if (Commands.works("ip", "link", "show", "dev", hostEnd)) {
                Commands.ok("ip", "link", "delete", "dev", hostEnd);
            }
        });
        Commands.ok("ip", "netns", "add", namespace);
        Commands.ok("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        Commands.ok("ip", "addr", "add", here.getHostAddress() + "/24", "dev", hostEnd);
        Commands.ok("ip", "link", "set", hostEnd, "up");
        Commands.ok("ip", "-n", namespace, "addr", "add", there.getHostAddress() + "/24", "dev", "eth0");
        Commands.ok("ip", "-n", namespace, "link", "set", "eth0", "up");
        Commands.ok("ip", "-n", namespace, "link", "set", "lo", "up");
        DnsServer server =
                new DnsServer(new InetSocketAddress(here, 53), List.of(), DnsServer.DEFAULT_UPSTREAM_TIMEOUT);
        undo.add("stop the DNS server", server::close);
        InetSocketAddress bound = server.start();
        InetAddress vip = DnsLoad.ipv4("the VIP", prefix + ".10");
        server.update(table(there, vip, DnsLoad.ipv4("the service's task", prefix + ".11")));
        return new Target(
                Path.of("/run/netns", namespace),
                bound,
                SERVICE,
                vip,
                () -> ProcessHandle.current().info().totalCpuDuration().orElse(null));
    }
}
