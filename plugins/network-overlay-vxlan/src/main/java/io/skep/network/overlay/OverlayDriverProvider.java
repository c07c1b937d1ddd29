package io.skep.network.overlay;

import io.skep.network.overlay.Commands.CommandException;
import io.skep.spi.PluginConfig;
import io.skep.spi.PluginOption;
import io.skep.spi.network.NetworkDefinition;
import io.skep.spi.network.NetworkDriver;
import io.skep.spi.network.NetworkDriverContext;
import io.skep.spi.network.NetworkDriverException;
import io.skep.spi.network.NetworkDriverProvider;
import io.skep.spi.runtime.Availability;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The network driver {@code overlay}: VXLAN networks across nodes (see {@link OverlayDriver} for the data path).
 * It needs Linux, iproute2, util-linux's {@code nsenter}, nftables' {@code nft} and coreutils' {@code tee}, and the
 * capabilities to manage network namespaces
 * ({@code CAP_NET_ADMIN} and {@code CAP_SYS_ADMIN}: a node runs as root).
 */
public final class OverlayDriverProvider implements NetworkDriverProvider {

    /** The VXLAN UDP port (IANA's, and Docker's default {@code --data-path-port}). */
    static final PluginOption<Integer> VXLAN_PORT = PluginOption.integer(
            "vxlan-port", 4789, 1024, 49151, "UDP port of the VXLAN tunnels between nodes (Docker's data-path port)");

    /** Docker's overlay MTU: the underlay's 1500 less VXLAN's 50 bytes of headers. */
    static final PluginOption<Integer> MTU = PluginOption.integer(
            "mtu",
            1450,
            576,
            65485,
            "MTU of overlay interfaces unless a network sets " + OverlayDriver.MTU_OPTION + " (underlay MTU less 50)");

    static final PluginOption<Duration> COMMAND_TIMEOUT = PluginOption.duration(
            "command-timeout",
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            Duration.ofMinutes(5),
            "how long one ip or bridge command may take before a network operation fails");

    /** Linux's capability numbers, as /proc/self/status shows them in CapEff. */
    private static final int CAP_NET_ADMIN = 12;

    private static final int CAP_SYS_ADMIN = 21;

    private volatile PluginConfig config = PluginConfig.defaults(name(), options());

    public OverlayDriverProvider() {}

    @Override
    public String name() {
        return "overlay";
    }

    @Override
    public String description() {
        return "VXLAN overlay networks across nodes (bridge and VXLAN device per network, static peer tables,"
                + " masqueraded egress, nftables VIP load balancing)";
    }

    @Override
    public List<PluginOption<?>> options() {
        return List.of(VXLAN_PORT, MTU, COMMAND_TIMEOUT);
    }

    @Override
    public void configure(PluginConfig config) {
        this.config = config;
    }

    @Override
    public Availability probe(NetworkDriverContext context) {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Availability.no("the overlay driver runs on Linux only; this host runs " + os);
        }
        Optional<String> missing = Commands.missingTool();
        if (missing.isPresent()) {
            return Availability.no(missing.get());
        }
        long caps = effectiveCapabilities();
        if ((caps & (1L << CAP_NET_ADMIN)) == 0 || (caps & (1L << CAP_SYS_ADMIN)) == 0) {
            return Availability.no("the overlay driver needs CAP_NET_ADMIN and CAP_SYS_ADMIN (run the node as root)");
        }
        if (!(context.dataPathAddress() instanceof Inet4Address)) {
            return Availability.no("the overlay driver needs an IPv4 data-path address, got "
                    + context.dataPathAddress().getHostAddress());
        }
        Optional<Path> nodeNamespace = context.nodeNamespace();
        if (nodeNamespace.isPresent() && !Files.exists(nodeNamespace.get())) {
            return Availability.no("the node's network namespace " + nodeNamespace.get() + " does not exist");
        }
        return Availability.yes();
    }

    @Override
    public Optional<String> validate(NetworkDefinition network) {
        if (!(network.subnet().address() instanceof Inet4Address)) {
            return Optional.of("subnet " + network.subnet() + ": the overlay driver supports IPv4 subnets only");
        }
        String mtu = network.options().get(OverlayDriver.MTU_OPTION);
        if (mtu != null) {
            try {
                MTU.parse(mtu);
            } catch (IllegalArgumentException e) {
                return Optional.of("option " + OverlayDriver.MTU_OPTION + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    @Override
    public NetworkDriver open(NetworkDriverContext context) throws NetworkDriverException {
        Availability availability = probe(context);
        if (!availability.available()) {
            throw new NetworkDriverException(availability.reason());
        }
        PluginConfig c = config;
        try {
            return new OverlayDriver(context, Commands.find(c.get(COMMAND_TIMEOUT)), c.get(VXLAN_PORT), c.get(MTU));
        } catch (CommandException e) {
            throw new NetworkDriverException(e.getMessage());
        }
    }

    /** The effective capability set of this process (0 when it cannot be read). */
    private static long effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
