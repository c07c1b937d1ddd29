package io.skep.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.bench.SkepDaemon;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The swarm under test: N managers, each a daemon of the image in its own namespace of a {@link NamespaceNetwork},
 * joined through the manager token. Whatever happens to the run, {@link #close()} (also from a shutdown hook, on
 * Ctrl-C or a crash of the harness) kills every process of the namespaces and removes them.
 */
public final class FaultSwarm implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration FORM = Duration.ofSeconds(120);
    private static final Duration ASK = Duration.ofSeconds(3);

    private final NamespaceNetwork network;
    private final List<ManagerProcess> managers = new ArrayList<>();
    private final Thread hook = new Thread(this::close, "skep-faults-cleanup");
    private boolean closed;

    private FaultSwarm(NamespaceNetwork network) {
        this.network = network;
    }

    /**
     * Makes the network, starts the daemons, and forms the swarm: the first initialises it, the others join it one
     * at a time as managers; returns once every manager is reachable and ready, with a leader.
     *
     * @param env added to each daemon's environment ({@code JDK_JAVA_OPTIONS})
     */
    static FaultSwarm form(Path skep, Path dir, int size, Map<String, String> env, PrintStream out) throws IOException {
        return form(skep, dir, size, env, Map.of(), out);
    }

    /**
     * As {@link #form(Path, Path, int, Map, PrintStream)}, with further fields of the first manager's
     * {@code POST /swarm/init} ({@code DefaultAddrPool}).
     */
    public static FaultSwarm form(
            Path skep, Path dir, int size, Map<String, String> env, Map<String, Object> init, PrintStream out)
            throws IOException {
        List<String> leftovers = NamespaceNetwork.removeLeftovers();
        if (!leftovers.isEmpty()) {
            out.println("Removed the namespaces of runs that crashed: " + String.join(", ", leftovers));
        }
        FaultSwarm swarm = new FaultSwarm(NamespaceNetwork.create(size));
        Runtime.getRuntime().addShutdownHook(swarm.hook);
        try {
            for (int i = 1; i <= size; i++) {
                ManagerProcess m = new ManagerProcess(
                        i, swarm.network.namespace(i), swarm.network.address(i), dir.resolve("m" + i), skep, env);
                swarm.managers.add(m);
                m.start("first start");
            }
            for (ManagerProcess m : swarm.managers) {
                m.awaitAnswer(START);
            }
            ManagerProcess first = swarm.managers.getFirst();
            Map<String, Object> request = new java.util.HashMap<>(init);
            request.put("ListenAddr", first.clusterAddr());
            request.put("AdvertiseAddr", first.clusterAddr());
            first.ok("POST", "/swarm/init", request);
            String token = first.ok("GET", "/swarm", null)
                    .path("JoinTokens")
                    .path("Manager")
                    .asText();
            for (ManagerProcess m : swarm.managers.subList(1, size)) {
                m.ok(
                        "POST",
                        "/swarm/join",
                        Map.of(
                                "ListenAddr",
                                m.clusterAddr(),
                                "AdvertiseAddr",
                                m.clusterAddr(),
                                "RemoteAddrs",
                                List.of(first.clusterAddr()),
                                "JoinToken",
                                token));
            }
            SkepDaemon.await(
                    size + " ready, reachable managers and a leader",
                    FORM,
                    Duration.ofMillis(100),
                    () -> swarm.formed(first));
            swarm.managers.forEach(ManagerProcess::nodeId);
        } catch (RuntimeException | IOException e) {
            swarm.close();
            throw e;
        }
        return swarm;
    }

    private boolean formed(ManagerProcess on) {
        JsonNode nodes = nodes(on);
        if (nodes == null || nodes.size() != managers.size()) {
            return false;
        }
        int leaders = 0;
        for (JsonNode n : nodes) {
            if (!n.path("Status").path("State").asText().equals("ready")
                    || !n.path("ManagerStatus").path("Reachability").asText().equals("reachable")) {
                return false;
            }
            leaders += n.path("ManagerStatus").path("Leader").asBoolean(false) ? 1 : 0;
        }
        return leaders == 1;
    }

    private static JsonNode nodes(ManagerProcess on) {
        try {
            UnixHttpClient.Response r = on.call("GET", "/nodes", null, ASK);
            return r.ok() ? r.json() : null;
        } catch (IOException e) {
            return null;
        }
    }

    public List<ManagerProcess> managers() {
        return managers;
    }

    NamespaceNetwork network() {
        return network;
    }

    /**
     * The leader as the first manager that answers sees it (a manager that is stopped or cut off answers late or
     * not at all, so each is asked with a short deadline); empty when none names one.
     */
    Optional<ManagerProcess> leader() {
        for (ManagerProcess m : managers) {
            if (!m.running() || m.paused()) {
                continue;
            }
            JsonNode nodes = nodes(m);
            for (JsonNode n : nodes == null ? List.<JsonNode>of() : nodes) {
                if (n.path("ManagerStatus").path("Leader").asBoolean(false)) {
                    String id = n.path("ID").asText();
                    return managers.stream().filter(x -> x.nodeId().equals(id)).findFirst();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Process IDs of the task processes running in the namespaces: those whose command line is {@code command}
     * (a zombie has none).
     */
    List<Long> taskPids(List<String> command) {
        String wanted = String.join("\0", command) + "\0";
        List<Long> out = new ArrayList<>();
        for (ManagerProcess m : managers) {
            for (long pid : network.pids(m.index())) {
                try {
                    String line = Files.readString(
                            Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.ISO_8859_1);
                    if (line.equals(wanted)) {
                        out.add(pid);
                    }
                } catch (IOException e) {
                    // it ended meanwhile
                }
            }
        }
        return out;
    }

    /** Kills the daemons and everything else in the namespaces, and removes the namespaces. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ManagerProcess m : managers) {
            try {
                m.close();
            } catch (RuntimeException e) {
                // the network's close kills whatever is left in the namespace
            }
        }
        network.close();
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (and finds this closed)
            }
        }
    }
}
