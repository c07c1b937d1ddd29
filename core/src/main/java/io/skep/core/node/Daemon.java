package io.skep.core.node;

import io.skep.api.model.SwarmInitRequest;
import io.skep.api.model.SwarmJoinRequest;
import io.skep.core.api.ApiException;
import io.skep.core.api.ApiServer;
import io.skep.core.api.ControlApi;
import io.skep.core.api.Membership;
import io.skep.core.api.NodeContext;
import io.skep.core.manager.Manager;
import io.skep.core.plugins.PluginRegistry;
import io.skep.spi.runtime.Availability;
import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskRuntime;
import io.skep.spi.runtime.TaskRuntimeException;
import io.skep.spi.runtime.TaskRuntimeProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running skep node: control API, plugins and task runtimes, and its part in a swarm ({@link Swarm}). Holds an
 * exclusive lock on its data directory.
 */
public final class Daemon implements AutoCloseable, NodeContext {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final DaemonConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<String, TaskRuntime> runtimes = new LinkedHashMap<>();
    private String nodeId;
    private String hostname;
    private String defaultRuntime;
    private PluginRegistry plugins;
    private FileChannel lockChannel;
    private FileLock lock;
    private ApiServer api;
    private volatile Swarm swarm;

    private Daemon(DaemonConfig config) {
        this.config = config;
    }

    /** Starts a node; returns once its control API answers (and, if it is in a swarm, its manager leads). */
    public static Daemon start(DaemonConfig config) throws Exception {
        quietLibraries();
        Daemon d = new Daemon(config);
        try {
            d.boot();
        } catch (Exception e) {
            d.close();
            throw e;
        }
        return d;
    }

    private void boot() throws Exception {
        Path dataDir = config.dataDir();
        ownerOnly(dataDir);
        lockChannel = FileChannel.open(
                dataDir.resolve("lock"),
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                io.skep.core.fs.DurableFiles.OWNER_FILE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            throw new IllegalStateException("another skep daemon is using the data directory " + dataDir);
        }
        nodeId = NodeFiles.nodeId(dataDir);
        hostname = localHostname();
        plugins = PluginRegistry.load(
                config.pluginDir() != null
                        ? config.pluginDir()
                        : Path.of(System.getProperty("java.home"), "plugins"), // an image's own plugins/ folder
                config.pluginOptions());
        plugins.failures().forEach(f -> LOG.warn("plugin not loaded: {}", f));
        openRuntimes(dataDir);

        swarm = new Swarm(this, config);
        swarm.recover();
        api = new ApiServer(ControlApi.router(this), ControlApi.headers(this));
        for (URI host : config.hosts()) {
            api.listen(host, config.access());
        }
        LOG.info(
                "skep {} node {} up (runtimes: {}, default: {})", version(), nodeId, runtimes.keySet(), defaultRuntime);
    }

    private void openRuntimes(Path dataDir) throws IOException {
        for (TaskRuntimeProvider provider : plugins.runtimes()) {
            RuntimeContext ctx =
                    new RuntimeContext(nodeId, dataDir.resolve("runtimes").resolve(provider.name()));
            Files.createDirectories(ctx.stateDir());
            Availability a = provider.probe(ctx);
            if (!a.available()) {
                LOG.info("runtime {} not available here: {}", provider.name(), a.reason());
                continue;
            }
            try {
                runtimes.put(provider.name(), provider.open(ctx));
            } catch (TaskRuntimeException e) {
                LOG.warn("runtime {} failed to open: {}", provider.name(), e.getMessage());
            }
        }
        if (config.defaultRuntime() != null) {
            if (!runtimes.containsKey(config.defaultRuntime())) {
                throw new IllegalArgumentException("--runtime " + config.defaultRuntime() + ": that runtime is "
                        + (plugins.runtime(config.defaultRuntime()).isPresent()
                                ? "not available on this host"
                                : "not installed in this image")
                        + " (available: " + String.join(", ", runtimes.keySet()) + ")");
            }
            defaultRuntime = config.defaultRuntime();
        } else {
            defaultRuntime = runtimes.containsKey("docker")
                    ? "docker"
                    : runtimes.containsKey("process")
                            ? "process"
                            : runtimes.keySet().stream().findFirst().orElse(null);
        }
    }

    /** Blocks until the node has stopped. */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    /** Stops the node: control API, agent, manager. Tasks keep running; a restart adopts them. */
    @Override
    public synchronized void close() {
        try {
            if (api != null) {
                api.close();
            }
            if (swarm != null) {
                swarm.close();
            }
        } finally {
            try {
                if (lock != null) {
                    lock.release();
                }
                if (lockChannel != null) {
                    lockChannel.close();
                }
            } catch (IOException ignored) {
                // the process is ending
            }
            stopped.countDown();
        }
    }

    // ------------------------------------------------------------------------------------- NodeContext

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public String hostname() {
        return hostname;
    }

    @Override
    public java.util.Map<String, String> engineLabels() {
        return config.labels();
    }

    @Override
    public String version() {
        String v = Daemon.class.getModule().getDescriptor() == null
                ? null
                : Daemon.class.getModule().getDescriptor().rawVersion().orElse(null);
        return v != null ? v : "0.1.0";
    }

    @Override
    public PluginRegistry plugins() {
        return plugins;
    }

    /** What liveness deadlines (the dispatcher's heartbeats) are timed with: the JVM's monotonic clock. */
    public io.skep.core.reconcile.Ticker ticker() {
        return io.skep.core.reconcile.Ticker.SYSTEM;
    }

    @Override
    public String defaultRuntime() {
        return defaultRuntime;
    }

    @Override
    public Manager manager() {
        Swarm s = swarm;
        return s == null ? null : s.manager();
    }

    @Override
    public Membership membership() {
        Swarm s = swarm;
        return s == null ? null : s.membership();
    }

    @Override
    public String initSwarm(SwarmInitRequest request) throws Exception {
        try {
            return swarm.initSwarm(request);
        } catch (SwarmStateException e) {
            throw apiError(e);
        }
    }

    @Override
    public String forceNewCluster() throws Exception {
        try {
            return swarm.forceNewCluster();
        } catch (SwarmStateException e) {
            throw apiError(e);
        }
    }

    @Override
    public void joinSwarm(SwarmJoinRequest request) throws Exception {
        try {
            swarm.joinSwarm(request);
        } catch (SwarmStateException e) {
            throw apiError(e);
        }
    }

    /** The control API's answer to a refusal of the swarm lifecycle: Docker's status for its kind, its words. */
    static ApiException apiError(SwarmStateException e) {
        int status = switch (e.kind()) {
            case INVALID_ARGUMENT, NOT_A_MANAGER -> 400;
            case PERMISSION_DENIED -> 403;
            case ALREADY_IN_SWARM, UNAVAILABLE -> 503;
            case REFUSED_BY_MANAGER -> e.managerStatus();
        };
        return new ApiException(status, e.getMessage());
    }

    @Override
    public void leaveSwarm() throws Exception {
        swarm.leaveSwarm();
    }

    @Override
    public boolean locked() {
        Swarm s = swarm;
        return s != null && s.isLocked();
    }

    @Override
    public void unlock(String unlockKey) throws Exception {
        if (!locked()) {
            throw new ApiException(409, "swarm is not locked");
        }
        io.skep.core.pki.UnlockKey key;
        try {
            key = io.skep.core.pki.UnlockKey.parse(unlockKey);
        } catch (IllegalArgumentException e) {
            throw new ApiException(401, "swarm could not be unlocked: invalid key provided");
        }
        try {
            swarm.unlock(key);
        } catch (NodeKeys.WrongKeyException e) {
            throw new ApiException(401, e.getMessage());
        }
    }

    /**
     * Renews this node's certificate when {@code now} is past its renewal time (tests give a time; the node's own
     * schedule gives the clock's).
     *
     * @return whether it renewed
     */
    public boolean renewCertificateIfDue(Instant now) {
        return swarm.renewCertificateIfDue(now);
    }

    /** The runtimes opened on this node, by name. */
    Map<String, TaskRuntime> runtimes() {
        return runtimes;
    }

    /**
     * A node that left its swarm takes a new ID, as Swarm's do, and opens its runtimes again under it (they label
     * what they start with the node's ID).
     */
    void renewIdentity() throws IOException {
        runtimes.values().forEach(TaskRuntime::close);
        runtimes.clear();
        nodeId = NodeFiles.renewNodeId(config.dataDir());
        openRuntimes(config.dataDir());
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static String localHostname() {
        try {
            Path etc = Path.of("/etc/hostname");
            if (Files.isReadable(etc)) {
                String h = Files.readString(etc).trim();
                if (!h.isEmpty()) {
                    return h;
                }
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * Creates the data directory for the owner alone, or takes away what others could do in one that exists: it holds
     * the node's keys and the swarm's store.
     */
    private static void ownerOnly(Path dataDir) throws IOException {
        io.skep.core.fs.DurableFiles.createFolders(dataDir);
        var perms = Files.getPosixFilePermissions(dataDir);
        var owner = java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
        if (!perms.equals(owner)) {
            Files.setPosixFilePermissions(dataDir, owner);
            LOG.info(
                    "data directory {} made the owner's alone (it was {})",
                    dataDir,
                    java.nio.file.attribute.PosixFilePermissions.toString(perms));
        }
    }

    /** One line per record; Ratis and Netty only when they warn. */
    private static void quietLibraries() {
        String config = """
                handlers=java.util.logging.ConsoleHandler
                .level=INFO
                java.util.logging.ConsoleHandler.level=ALL
                java.util.logging.SimpleFormatter.format=%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n
                org.apache.ratis.level=WARNING
                io.netty.level=WARNING
                """;
        try {
            LogManager.getLogManager()
                    .readConfiguration(new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // keep the JDK's defaults
        }
    }
}
