package io.skep.bench.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.bench.FileTrees;
import io.skep.bench.SkepDaemon;
import io.skep.bench.scale.Gauges;
import io.skep.bench.scale.Joining;
import io.skep.core.pki.CertificateRequest;
import io.skep.core.tls.NodeTls;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * The API fuzzer: a {@code skep daemon} of the image, a one-node swarm, and {@code --requests} malformed or mutated
 * requests to its control API (plain HTTP on loopback) and to its cluster port (TLS, without a client certificate and
 * with the certificate of a worker that joined through the real join flow): broken JSON, values of the wrong type,
 * huge and negative values, deep nesting, bodies over the caps, bad paths, methods, headers and query parameters,
 * mutations of valid Docker-API bodies (service create and update, swarm init, join and update, node update, the
 * join and the dispatcher's calls of the cluster port), pipelining, random bytes; and, held the whole run, slow,
 * half-open and idle connections. Then a flood of connections from one address.
 *
 * <p>It checks that the node never answers 500 or more (Docker's own 503 for {@code swarm init} on a node in a swarm
 * apart), answers or closes every connection, never stops, and serves a real request afterwards; it reports the
 * statuses by kind, each failure with the request that caused it (a valid body and the one change made to it), and
 * the daemon's resident memory before, during and after. Valid mutations change nothing: a create names the service
 * that exists, updates carry a stale version, and the node is drained, so that no task runs.
 */
public final class FuzzScenario {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The daemon's timeouts for the run: short, so that the held connections are cut within it. */
    static final String DAEMON_OPTIONS = "-Dskep.api.request=5000 -Dskep.api.idle=10000";

    private static final Logger QUIET = Logger.getLogger("io.skep");

    static final String USAGE = """
            usage: java -jar benchmarks.jar fuzz [--requests=N] [--seed=N] [--held=N] [--parallel=N] [--skep=PATH]
                                                 [--dir=PATH] [--timeout=S]
              --requests=N  fuzzed requests (default 10000), made in turn of each kind
              --seed=N      the random source's seed (default: a new one, printed; the same seed makes the same requests)
              --held=N      slow, half-open and idle connections of each kind to each port, held during the run
                            (default 5)
              --parallel=N  requests in flight at once, each on its own connection (default 8)
              --skep=PATH   skep's bin/skep (default distribution/target/skep/bin/skep, looked for from here up)
              --dir=PATH    where the daemon's data directory goes (default java.io.tmpdir)
              --timeout=S   how long a request may wait for its answer or its connection's end (default 20)
            The daemon runs with %s, so that the held connections are cut during the run.
            Exit status 0 when no answer was 500 or more, every connection was answered or closed, the node kept
            running and serves a real request afterwards; 1 otherwise.
            """.formatted(DAEMON_OPTIONS);

    private FuzzScenario() {}

    record Options(int requests, long seed, int held, int parallel, Path skep, Path dir, Duration timeout) {

        static Options parse(String... args) {
            int requests = 10_000;
            long seed = new SecureRandom().nextLong();
            int held = 5;
            int parallel = 8;
            Path skep = null;
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            Duration timeout = Duration.ofSeconds(20);
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException(
                            arg.equals("--help") || arg.equals("-h") ? "" : "expected --name=value, got '" + arg + "'");
                }
                String name = arg.substring(0, eq);
                String value = arg.substring(eq + 1);
                switch (name) {
                    case "--requests" -> requests = (int) io.skep.bench.ScenarioArgs.whole(name, value, 1);
                    case "--seed" -> seed = io.skep.bench.ScenarioArgs.whole(name, value, Long.MIN_VALUE);
                    case "--held" -> held = (int) io.skep.bench.ScenarioArgs.whole(name, value, 0);
                    case "--parallel" -> parallel = (int) io.skep.bench.ScenarioArgs.whole(name, value, 1);
                    case "--skep" -> skep = Path.of(value);
                    case "--dir" -> dir = Path.of(value);
                    case "--timeout" -> timeout = Duration.ofSeconds(io.skep.bench.ScenarioArgs.whole(name, value, 1));
                    default -> throw new IllegalArgumentException("unknown option '" + name + "'");
                }
            }
            skep = io.skep.bench.ScenarioArgs.skepImage(skep);
            return new Options(requests, seed, held, parallel, skep, dir, timeout);
        }
    }

    /** What a run found: the tally, the held connections, the flood, the node afterwards, its memory (MB). */
    record Result(
            Options options,
            Tally tally,
            SlowClients.Outcome held,
            int flood,
            int floodRefused,
            boolean alive,
            String after,
            double rssBefore,
            double rssPeak,
            double rssAfter,
            long errorLines) {

        boolean passed() {
            return alive
                    && tally.failures().isEmpty()
                    && !tally.nodeGone()
                    && after.startsWith("serves")
                    && (held.held() == held.closedByNode());
        }
    }

    public static void main(String[] args) {
        io.skep.bench.Driver.main(
                args, USAGE, Options::parse, (options, out) -> run(options, out).passed() ? 0 : 1);
    }

    static Result run(Options options, PrintStream out) throws Exception {
        QUIET.setLevel(Level.WARNING);
        Path dir = Files.createTempDirectory(options.dir(), "skep-fuzz");
        SkepDaemon daemon =
                new SkepDaemon(options.skep(), dir.resolve("node"), "node", Map.of("JDK_JAVA_OPTIONS", DAEMON_OPTIONS));
        Thread cleanup = new Thread(daemon::close);
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C: no daemon left behind
        try {
            return fuzz(options, daemon, out);
        } catch (Exception | AssertionError e) {
            tail(daemon.home().resolve("daemon.log"), out);
            throw e;
        } finally {
            daemon.close();
            FileTrees.deleteRecursively(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private static Result fuzz(Options options, SkepDaemon daemon, PrintStream out) throws Exception {
        daemon.initSwarm();
        String nodeId = daemon.nodeId();
        JsonNode self = daemon.ok("GET", "/nodes/" + nodeId, null);
        ObjectNode drained = (ObjectNode) self.path("Spec").deepCopy();
        drained.put("Availability", "drain"); // no task runs: a mutation that scales a service costs nothing
        daemon.ok(
                "POST",
                "/nodes/" + nodeId + "/update?version="
                        + self.path("Version").path("Index").asLong(),
                drained);
        ObjectNode service = serviceSpec();
        daemon.ok("POST", "/services/create", service);

        String clusterAddr = daemon.clusterAddr();
        String host = clusterAddr.substring(0, clusterAddr.lastIndexOf(':'));
        int clusterPort = Integer.parseInt(clusterAddr.substring(clusterAddr.lastIndexOf(':') + 1));
        String workerToken = daemon.joinToken("Worker");
        Joining.Member worker = Joining.join(clusterAddr, workerToken, 1, 1).getFirst();
        NodeTls tls = new NodeTls(worker.certificate(), worker.rootCa());
        SSLContext anonymousTls = jdkTls(null, tls.managersOnly());
        SSLContext workerTls = jdkTls(tls.keyManager(), tls.managersOnly());
        Target control = new Target("control", "127.0.0.1", daemon.apiPort(), null);
        Target anonymous = new Target("cluster", host, clusterPort, anonymousTls);
        Target member = new Target("cluster+cert", host, clusterPort, workerTls);
        Target plaintext = new Target("cluster-plain", host, clusterPort, null);

        String session = session(member, worker, options.timeout());
        List<Cases.Endpoint> endpoints =
                endpoints(control, anonymous, member, daemon, nodeId, service, workerToken, worker, session);
        Cases cases = new Cases(endpoints, control, plaintext, options.seed());
        out.printf(
                "API fuzzer: %d requests (seed %d) against `skep daemon` pid %d of %s (%s): control API on "
                        + "127.0.0.1:%d, cluster port %s (TLS, without a certificate and with worker %s's)%n%n",
                options.requests(),
                options.seed(),
                daemon.pid(),
                options.skep(),
                DAEMON_OPTIONS,
                control.port(),
                clusterAddr,
                worker.nodeId());

        Tally tally = new Tally();
        long pid = daemon.pid();
        double rssBefore = Gauges.statusMb(pid, "VmRSS");
        java.util.concurrent.atomic.DoubleAccumulator rssPeak =
                new java.util.concurrent.atomic.DoubleAccumulator(Math::max, rssBefore);
        long t0 = System.nanoTime();
        SlowClients.Outcome held;
        try (SlowClients slow = new SlowClients(List.of(control, anonymous, member), options.held());
                java.util.concurrent.ExecutorService clients =
                        java.util.concurrent.Executors.newFixedThreadPool(options.parallel())) {
            java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(options.parallel());
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            // Cases are made in order from the seed, and sent by a few clients at once.
            for (int i = 0; i < options.requests() && !tally.nodeGone(); i++) {
                Cases.Case c = cases.next(i);
                slots.acquire();
                clients.execute(() -> {
                    try {
                        List<RawHttp.Answer> answers =
                                RawHttp.exchange(c.target(), c.bytes(), c.answers(), options.timeout());
                        synchronized (tally) {
                            int failed = tally.failures().size();
                            tally.add(c, answers);
                            for (Tally.Failure f : tally.failures()
                                    .subList(failed, tally.failures().size())) {
                                out.printf(
                                        "  FAILED [%s, %s] %s: %s; %s%n",
                                        f.kind(), f.target(), f.status(), f.message(), f.what());
                            }
                        }
                        int n = done.incrementAndGet();
                        if (n % 100 == 0) {
                            double rss = Gauges.statusMb(pid, "VmRSS");
                            rssPeak.accumulate(rss);
                            if (n % 1000 == 0) {
                                out.printf(
                                        "  %d requests in %.0f s, %d failures so far, daemon RSS %.0f MB%n",
                                        n,
                                        (System.nanoTime() - t0) / 1e9,
                                        tally.failures().size(),
                                        rss);
                            }
                        }
                    } finally {
                        slots.release();
                    }
                });
            }
            slots.acquire(options.parallel()); // every case answered
            held = slow.await(Duration.ofSeconds(30));
            tally.addOther(
                    "held (slow, half-open, idle)",
                    held.held(),
                    Map.of("closed by the node", held.closedByNode(), "still open", held.held() - held.closedByNode()));
        }
        int[] flood = flood(control, 200);
        tally.addOther(
                "connection flood", flood[0], Map.of("closed at once", flood[1], "answered", flood[0] - flood[1]));
        rssPeak.accumulate(Gauges.statusMb(pid, "VmRSS"));
        boolean alive = daemon.process().isAlive();
        String after = alive
                ? after(daemon)
                : "the daemon is gone (exit " + daemon.process().exitValue() + ")";
        double rssAfter = Gauges.statusMb(pid, "VmRSS");
        long errors = Files.readAllLines(daemon.home().resolve("daemon.log"), StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(" SEVERE "))
                .count(); // java.util.logging's name for SLF4J's ERROR
        Result r = new Result(
                options, tally, held, flood[0], flood[1], alive, after, rssBefore, rssPeak.get(), rssAfter, errors);
        out.println();
        out.print(report(r, (System.nanoTime() - t0) / 1e9));
        return r;
    }

    /**
     * A client TLS context on the JDK's provider: the fuzzer's blocking sockets must not run on Conscrypt, whose socket
     * (not the engine the node runs on) spins on a read after the peer has closed.
     */
    private static SSLContext jdkTls(javax.net.ssl.KeyManager keys, javax.net.ssl.TrustManager trust) throws Exception {
        SSLContext c = SSLContext.getInstance("TLSv1.3", "SunJSSE");
        c.init(
                keys == null ? null : new javax.net.ssl.KeyManager[] {keys},
                new javax.net.ssl.TrustManager[] {trust},
                null);
        return c;
    }

    /**
     * A service spec as Docker's CLI sends it, every section filled in but resource limits (the process runtime, which
     * runs the image {@code host}, refuses them); its name ("fuzzed") then exists.
     */
    static ObjectNode serviceSpec() throws IOException {
        return (ObjectNode) JSON.readTree("""
                {"Name":"fuzzed","Labels":{"com.example.team":"fuzz"},
                 "TaskTemplate":{"ContainerSpec":{"Image":"host","Args":["sleep","1000"],"Env":["A=1","B=two"],
                   "Labels":{"c":"d"},"Hostname":"h","Dir":"/","User":"root","StopSignal":"SIGTERM",
                   "StopGracePeriod":10000000000,"Init":false,"DNSConfig":{},"Isolation":"default"},
                  "Resources":{"Reservations":{"NanoCPUs":100000000,"MemoryBytes":16777216}},
                  "RestartPolicy":{"Condition":"on-failure","Delay":5000000000,"MaxAttempts":3,"Window":60000000000},
                  "Placement":{"Constraints":["node.role==manager"],
                   "Preferences":[{"Spread":{"SpreadDescriptor":"node.labels.az"}}],"MaxReplicas":2},"ForceUpdate":0},
                 "Mode":{"Replicated":{"Replicas":2}},
                 "UpdateConfig":{"Parallelism":1,"Delay":0,"FailureAction":"pause","Monitor":5000000000,
                   "MaxFailureRatio":0,"Order":"stop-first"},
                 "RollbackConfig":{"Parallelism":1,"Delay":0,"FailureAction":"pause","Monitor":5000000000,
                   "MaxFailureRatio":0,"Order":"start-first"},
                 "EndpointSpec":{"Mode":"vip","Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,
                   "PublishMode":"ingress"}]}}
                """);
    }

    /**
     * The node's requests, valid as they are. Writes are made so that a valid mutation changes nothing: a create of
     * the service that exists (its name frozen), updates at version 1 (long stale), init and join on a node already in
     * a swarm; the join of the cluster port carries a wrong token but one time in ten.
     */
    private static List<Cases.Endpoint> endpoints(
            Target control,
            Target anonymous,
            Target member,
            SkepDaemon daemon,
            String nodeId,
            ObjectNode service,
            String workerToken,
            Joining.Member worker,
            String session)
            throws Exception {
        ObjectNode swarm = (ObjectNode) daemon.ok("GET", "/swarm", null).path("Spec");
        // the CA fields a swarm update acts on (a root rotation), there to be mutated
        ((ObjectNode) swarm.path("CAConfig"))
                .put("ForceRotate", 0)
                .put("SigningCACert", "")
                .put("SigningCAKey", "");
        JsonNode nodeSpec = daemon.ok("GET", "/nodes/" + nodeId, null).path("Spec");
        ObjectNode init = JSON.createObjectNode()
                .put("ListenAddr", "127.0.0.1:0")
                .put("AdvertiseAddr", "127.0.0.1")
                .put("Availability", "active")
                .put("DataPathPort", 4789)
                .put("SubnetSize", 24);
        init.putArray("DefaultAddrPool").add("10.10.0.0/16");
        init.set("Spec", swarm);
        ObjectNode join = JSON.createObjectNode()
                .put("ListenAddr", "127.0.0.1:0")
                .put("AdvertiseAddr", "127.0.0.1")
                .put("JoinToken", workerToken)
                .put("Availability", "active");
        join.putArray("RemoteAddrs").add(anonymous.host() + ":" + anonymous.port());
        String csr = CertificateRequest.create(new SecureRandom()).pem();
        JsonNode description = io.skep.api.model.Json.tree(Joining.describe(7));
        ObjectNode clusterJoin = JSON.createObjectNode()
                .put("Token", "SWMTKN-1-" + "0".repeat(50) + "-" + "1".repeat(25))
                .put("NodeId", io.skep.api.model.Ids.newId())
                .put("Csr", csr)
                .put("Availability", "active")
                .put("Addr", "127.0.0.1");
        clusterJoin.set("Description", description);
        ObjectNode realJoin = clusterJoin.deepCopy().put("Token", workerToken);
        ObjectNode status = JSON.createObjectNode()
                .put("TaskId", "fuzztask")
                .set(
                        "Status",
                        JSON.createObjectNode()
                                .put("State", "running")
                                .put("Timestamp", "2025-01-01T00:00:00Z")
                                .put("Message", "started"));
        String s = "/dispatcher/sessions/" + session;
        Set<String> name = Set.of("Name");
        return List.of(
                new Cases.Endpoint(control, "POST", "/v1.41/services/create", service, name),
                new Cases.Endpoint(control, "POST", "/v1.41/services/fuzzed/update?version=1", service, name),
                new Cases.Endpoint(
                        control, "POST", "/v1.41/swarm/update?version=1&rotateWorkerToken=false", swarm, Set.of()),
                new Cases.Endpoint(control, "POST", "/v1.41/nodes/" + nodeId + "/update?version=1", nodeSpec, Set.of()),
                new Cases.Endpoint(control, "POST", "/v1.41/swarm/init", init, Set.of()),
                new Cases.Endpoint(control, "POST", "/v1.41/swarm/join", join, Set.of()),
                new Cases.Endpoint(control, "GET", "/v1.41/services?status=true"),
                new Cases.Endpoint(control, "GET", "/v1.41/services/fuzzed?insertDefaults=true"),
                new Cases.Endpoint(control, "GET", "/v1.41/tasks"),
                new Cases.Endpoint(control, "GET", "/v1.41/nodes/" + nodeId),
                new Cases.Endpoint(control, "GET", "/v1.41/info"),
                new Cases.Endpoint(control, "HEAD", "/_ping"),
                new Cases.Endpoint(anonymous, "GET", "/ca"),
                new Cases.Endpoint(anonymous, "POST", "/join", clusterJoin, Set.of()),
                new Cases.Endpoint(anonymous, "POST", "/join", realJoin, Set.of()),
                new Cases.Endpoint(member, "POST", "/dispatcher/sessions", description, Set.of()),
                new Cases.Endpoint(member, "POST", s + "/heartbeat"),
                new Cases.Endpoint(
                        member, "POST", s + "/status", JSON.createArrayNode().add(status), Set.of()),
                new Cases.Endpoint(member, "GET", s + "/assignments?after=-1"),
                new Cases.Endpoint(
                        member,
                        "POST",
                        "/certificates/renew",
                        JSON.createObjectNode().put("Csr", csr),
                        Set.of()),
                new Cases.Endpoint(
                        member,
                        "POST",
                        "/raft/members",
                        JSON.createObjectNode()
                                .put("Id", worker.nodeId())
                                .put("Addr", "127.0.0.1:1")
                                .put("ClusterAddr", "127.0.0.1:2"),
                        Set.of()));
    }

    /** The worker's dispatcher session: its ID, for the calls that name it. */
    private static String session(Target member, Joining.Member worker, Duration timeout) throws IOException {
        byte[] body = io.skep.api.model.Json.bytes(Joining.describe(worker.index()));
        RawHttp.Answer a = RawHttp.exchange(
                        member,
                        RawHttp.request(member, "POST", "/dispatcher/sessions", Map.of(), body, false),
                        1,
                        timeout)
                .getFirst();
        if (a.status() != 200) {
            throw new IllegalStateException("the worker's session was refused: " + a.status() + " " + a.message());
        }
        return JSON.readTree(a.body()).path("SessionId").asText();
    }

    /**
     * {@code count} connections at once from 127.0.0.1 to the control API: those over the cap per address must be
     * closed at once. Returns how many were opened and how many the node closed without a word.
     */
    private static int[] flood(Target control, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        int refused = 0;
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(control.open(Duration.ofSeconds(2)));
            }
            for (Socket s : sockets) {
                s.getOutputStream().write(RawHttp.request(control, "GET", "/_ping", Map.of(), null, true));
            }
            for (Socket s : sockets) {
                try {
                    if (RawHttp.read(s.getInputStream()) == null) {
                        refused++;
                    }
                } catch (IOException reset) {
                    refused++;
                }
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        return new int[] {count, refused};
    }

    /** A real request after the run: ping, a new service created and read back. */
    private static String after(SkepDaemon daemon) throws IOException {
        List<String> done = new ArrayList<>();
        SkepDaemon.await(
                "the node to answer after the fuzzing",
                Duration.ofSeconds(30),
                Duration.ofMillis(100),
                () -> daemon.call("GET", "/_ping", null) != null);
        done.add("GET /_ping 200");
        ObjectNode spec = serviceSpec();
        spec.put("Name", "after-fuzz");
        ((ObjectNode) spec.path("Mode").path("Replicated")).put("Replicas", 0);
        spec.remove("EndpointSpec"); // its published port is the fuzzed service's: Swarm refuses it to another
        JsonNode created = daemon.call("POST", "/services/create", spec);
        if (created == null) {
            return "does not serve: POST /services/create failed after the run";
        }
        done.add("POST /services/create 201");
        if (daemon.call("GET", "/services/" + created.path("ID").asText(), null) == null) {
            return "does not serve: the new service cannot be read";
        }
        done.add("GET /services/{id} 200");
        return "serves: " + String.join(", ", done);
    }

    static String report(Result r, double seconds) {
        StringBuilder b = new StringBuilder();
        Tally t = r.tally();
        b.append(t.table());
        b.append("%nFailures (an answer of 500 or more, no answer and no close within %d s, the node gone): %d%n"
                .formatted(r.options().timeout().toSeconds(), t.failures().size()));
        for (Tally.Failure f : t.failures()) {
            b.append("  [%s, %s] %s: %s%n    what: %s%n    request: %s%n"
                    .formatted(f.kind(), f.target(), f.status(), f.message(), f.what(), f.request()));
        }
        b.append("Held connections: %d (slow, half-open, idle), %d closed by the node, the last after %.1f s%s%n"
                .formatted(
                        r.held().held(),
                        r.held().closedByNode(),
                        r.held().longest().toMillis() / 1e3,
                        r.held().open().isEmpty()
                                ? ""
                                : "; still open: " + r.held().open()));
        b.append(("Connection flood: %d at once from 127.0.0.1 to the control API, %d closed at once (over the cap "
                        + "per address)%n")
                .formatted(r.flood(), r.floodRefused()));
        b.append("The node after %.0f s of it: %s; %s%n".formatted(seconds, r.alive() ? "alive" : "GONE", r.after()));
        b.append(("Daemon RSS: %.0f MB before, %.0f MB at most during the run (+%.0f MB), %.0f MB after; daemon.log: "
                        + "%d errors logged%n")
                .formatted(r.rssBefore(), r.rssPeak(), r.rssPeak() - r.rssBefore(), r.rssAfter(), r.errorLines()));
        b.append("Result: %s (%d crashes, %d answers of 500 or more, %d hangs)%n"
                .formatted(r.passed() ? "PASS" : "FAIL", r.alive() ? 0 : 1, t.count5xx(), t.hangs()));
        return b.toString();
    }

    private static void tail(Path log, PrintStream out) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            out.println("--- last lines of " + log);
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(out::println);
        } catch (IOException e) {
            out.println("(no daemon log: " + e + ")");
        }
    }
}
