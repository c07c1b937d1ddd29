package io.skep.core.node;

import io.skep.client.DaemonAddress;
import io.skep.core.api.ControlAccess;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a node daemon is started ({@code skep daemon}).
 *
 * @param dataDir        where the node keeps its state: Raft log and snapshots, node identity, runtime state
 * @param hosts          where the control API listens: {@code unix:///path} and/or {@code tcp://host:port} (beyond
 *                       loopback only with mutual TLS)
 * @param defaultRuntime the runtime a service gets when it names none; {@code null} picks docker where a
 *                       Docker engine answers and process otherwise
 * @param raftPort       the TCP port of the Raft transport on loopback; 0 picks a free one at start
 * @param listenAddr     where a manager's cluster port listens when swarm init or join names no {@code ListenAddr}:
 *                       {@code host:port}, port 0 picking a free one (kept across restarts)
 * @param pluginDir      a folder of drop-in plugin jars loaded into a child module layer, or {@code null}
 * @param labels         the node's engine labels ({@code --label}, as dockerd's), for {@code engine.labels.*}
 *                       constraints
 * @param access         who may use the control API's listeners: TLS of TCP ones, the group of unix sockets
 * @param pluginOptions  plugins' settings by {@code <plugin name>.<option>} ({@code --plugin-opt}), checked by the
 *                       plugins as they load
 */
public record DaemonConfig(
        Path dataDir,
        List<URI> hosts,
        String defaultRuntime,
        int raftPort,
        String listenAddr,
        Path pluginDir,
        Map<String, String> labels,
        ControlAccess access,
        Map<String, String> pluginOptions) {

    /** The control API's default address: skep's own socket, never a co-located Docker engine's. */
    public static final String DEFAULT_HOST = DaemonAddress.DEFAULT_HOST;

    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/skep");
    public static final int DEFAULT_RAFT_PORT = 2378;
    /** Swarm's: every address, port 2377. */
    public static final String DEFAULT_LISTEN_ADDR = "0.0.0.0:2377";

    public DaemonConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        hosts = List.copyOf(hosts);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        listenAddr = listenAddr == null || listenAddr.isBlank() ? DEFAULT_LISTEN_ADDR : listenAddr.strip();
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("at least one --host is needed");
        }
        access = access == null ? ControlAccess.DEFAULT : access;
        hosts.forEach(access::checkListen);
        pluginOptions = pluginOptions == null ? Map.of() : Map.copyOf(pluginOptions);
    }

    /** A node whose plugins get no settings. */
    public DaemonConfig(
            Path dataDir,
            List<URI> hosts,
            String defaultRuntime,
            int raftPort,
            String listenAddr,
            Path pluginDir,
            Map<String, String> labels,
            ControlAccess access) {
        this(dataDir, hosts, defaultRuntime, raftPort, listenAddr, pluginDir, labels, access, Map.of());
    }

    /** A node whose control API has the default access: plaintext TCP on loopback only, the default socket group. */
    public DaemonConfig(
            Path dataDir,
            List<URI> hosts,
            String defaultRuntime,
            int raftPort,
            String listenAddr,
            Path pluginDir,
            Map<String, String> labels) {
        this(dataDir, hosts, defaultRuntime, raftPort, listenAddr, pluginDir, labels, ControlAccess.DEFAULT);
    }
}
