package io.skep.core.node;

import io.skep.cli.ApiCommand;
import io.skep.cli.CliException;
import io.skep.cli.Main;
import io.skep.cli.SkepVersion;
import io.skep.cli.TlsFlags;
import io.skep.client.DaemonAddress;
import io.skep.core.api.ControlAccess;
import io.skep.spi.PluginOptionException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code skep daemon}: runs a node until it is stopped (SIGTERM/SIGINT close it). */
@Command(
        name = "daemon",
        customSynopsis = "skep daemon [OPTIONS]",
        description = "Run a skep node: the control API, store, reconcilers and agent.")
public final class DaemonCommand extends ApiCommand {

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Where the node keeps its state (default: ${DEFAULT-VALUE})")
    Path dataDir = DaemonConfig.DEFAULT_DATA_DIR;

    @Option(
            names = {"-H", "--host"},
            paramLabel = "HOST",
            description = "Where the control API listens: unix:///path or tcp://host:port; repeatable " + "(default: "
                    + DaemonConfig.DEFAULT_HOST + ")")
    List<String> hosts = new ArrayList<>();

    @Option(
            names = "--runtime",
            paramLabel = "NAME",
            description =
                    "The runtime of services that name none (default: docker where a Docker engine answers, else process)")
    String runtime;

    @Option(
            names = "--raft-port",
            paramLabel = "PORT",
            description = "TCP port of the Raft transport; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int raftPort = DaemonConfig.DEFAULT_RAFT_PORT;

    @Option(
            names = "--listen-addr",
            paramLabel = "ADDR",
            description = "Where a manager's cluster port listens when swarm init/join names no --listen-addr: "
                    + "host:port, port 0 picks a free one (default: ${DEFAULT-VALUE})")
    String listenAddr = DaemonConfig.DEFAULT_LISTEN_ADDR;

    @Option(names = "--plugin-dir", paramLabel = "DIR", description = "A folder of drop-in plugin jars")
    Path pluginDir;

    @Option(
            names = "--plugin-opt",
            paramLabel = "PLUGIN.OPTION=VALUE",
            description = "Set a plugin's option, e.g. docker.concurrency=10; repeatable")
    List<String> pluginOpts = new ArrayList<>();

    @Option(
            names = "--config-file",
            paramLabel = "FILE",
            description = "Daemon configuration file: the flags by their long names, as JSON (default: "
                    + "/etc/skep/daemon.json where it exists)")
    Path configFile;

    /** Where the plugin options came from, for their errors. */
    private String pluginOptsOrigin = "--plugin-opt";

    @Option(
            names = "--label",
            paramLabel = "KEY=VALUE",
            description = "Set key=value labels to the daemon (engine labels)")
    List<String> labels = new ArrayList<>();

    /** TLS of the tcp:// listeners: beyond loopback, --tlsverify is required. */
    @Mixin
    final TlsFlags tls = new TlsFlags();

    @Option(
            names = {"-G", "--group"},
            paramLabel = "GROUP",
            description = "Group for the unix socket: its members may use the daemon (default: "
                    + ControlAccess.DEFAULT_GROUP + " where that group exists, else none: only the daemon's user)")
    String group;

    /** The configuration the flags and the configuration file describe. */
    public DaemonConfig config() {
        if (DaemonFile.apply(configFile, spec).contains("plugin-opts")) {
            pluginOptsOrigin =
                    "\"plugin-opts\" in " + (configFile == null ? DaemonFile.DEFAULT_PATH : configFile) + ":";
        }
        List<URI> uris = new ArrayList<>();
        List<String> given = hosts.isEmpty() ? List.of(DaemonConfig.DEFAULT_HOST) : hosts;
        for (String host : given) {
            try {
                DaemonAddress.parse(host);
                uris.add(URI.create(host));
            } catch (IllegalArgumentException e) {
                throw invalidFlag("--host", host, e.getMessage());
            }
        }
        if (raftPort < 0 || raftPort > 65535) {
            throw invalidFlag("--raft-port", String.valueOf(raftPort), "a port is 0..65535");
        }
        String rt = runtime == null || runtime.isBlank() ? null : runtime.trim();
        java.util.Map<String, String> engineLabels = new java.util.LinkedHashMap<>();
        for (String label : labels) {
            int eq = label.indexOf('=');
            if (eq <= 0) {
                throw invalidFlag("--label", label, "bad attribute format: " + label);
            }
            engineLabels.put(label.substring(0, eq), label.substring(eq + 1));
        }
        java.util.Map<String, String> pluginOptions = new java.util.LinkedHashMap<>();
        for (String opt : pluginOpts) {
            int eq = opt.indexOf('=');
            if (eq <= 0) {
                throw invalidFlag("--plugin-opt", opt, "PLUGIN.OPTION=VALUE expected");
            }
            pluginOptions.put(opt.substring(0, eq).strip(), opt.substring(eq + 1));
        }
        ControlAccess access = new ControlAccess(tls.server(ctx().env), group);
        return new DaemonConfig(
                dataDir, uris, rt, raftPort, listenAddr, pluginDir, engineLabels, access, pluginOptions);
    }

    @Override
    protected int run() throws Exception {
        DaemonConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException refused) {
            throw new CliException("skep daemon: failed to start: " + refused.getMessage());
        }
        Daemon daemon;
        try {
            daemon = Daemon.start(config);
        } catch (PluginOptionException e) { // docker.concurrency: must be ...; where it came from in front
            throw new CliException("skep daemon: failed to start: " + pluginOptsOrigin + " " + e.getMessage());
        } catch (Exception e) {
            throw new CliException("skep daemon: failed to start: " + Main.errorText(e));
        }
        Thread hook = new Thread(daemon::close, "skep-daemon-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        List<String> listening = config.hosts().stream().map(URI::toString).toList();
        out().println("skep daemon " + SkepVersion.get() + " listening on " + String.join(", ", listening));
        out().flush();
        daemon.awaitTermination();
        try {
            // Stopped from within (not by a signal): close it here.
            if (Runtime.getRuntime().removeShutdownHook(hook)) {
                daemon.close();
            }
        } catch (IllegalStateException shuttingDown) {
            // the JVM is shutting down: the hook closes the node
        }
        return 0;
    }
}
