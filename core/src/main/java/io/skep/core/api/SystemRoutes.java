package io.skep.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.api.model.Cluster;
import io.skep.api.model.Defaults;
import io.skep.api.model.Json;
import io.skep.api.model.Node;
import io.skep.api.model.SwarmInitRequest;
import io.skep.api.model.SwarmJoinRequest;
import io.skep.core.manager.Manager;
import io.skep.core.pki.JoinToken;
import io.skep.core.pki.RootCa;
import io.skep.core.plugins.PluginRegistry;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/** {@code /_ping}, {@code /version}, {@code /info}, {@code /swarm}, {@code /plugins}. */
final class SystemRoutes {
    /** The Docker API version skep speaks (the docker CLI negotiates down to it). */
    static final String API_VERSION = "1.41";

    static final String MIN_API_VERSION = "1.24";

    private final NodeContext node;

    SystemRoutes(NodeContext node) {
        this.node = node;
    }

    void register(Router router) {
        router.add("GET", "/_ping", this::ping)
                .add("HEAD", "/_ping", this::ping)
                .add("GET", "/version", r -> ApiResponse.ok(version()))
                .add("GET", "/info", r -> ApiResponse.ok(info()))
                .add("GET", "/swarm", r -> ApiResponse.ok(swarm()))
                .add("POST", "/swarm/init", this::init)
                .add("POST", "/swarm/join", this::join)
                .add("POST", "/swarm/update", this::update)
                .add("POST", "/swarm/leave", this::leave)
                .add("GET", "/swarm/unlockkey", this::unlockKey)
                .add("POST", "/swarm/unlock", this::unlock)
                .add("GET", "/plugins", r -> ApiResponse.ok(plugins()));
    }

    private ApiResponse ping(ApiRequest request) {
        return ApiResponse.text(200, "OK")
                .withHeader(
                        "Swarm",
                        node.locked()
                                ? "locked"
                                : node.membership() == null
                                        ? "inactive"
                                        : node.membership().manager() ? "active/manager" : "active/worker")
                .withHeader("Cache-Control", "no-cache, no-store, must-revalidate")
                .withHeader("Pragma", "no-cache");
    }

    private ObjectNode version() {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.putObject("Platform").put("Name", "skep " + node.version());
        ObjectNode engine = v.putArray("Components").addObject();
        engine.put("Name", "Engine").put("Version", node.version());
        engine.putObject("Details")
                .put("ApiVersion", API_VERSION)
                .put("MinAPIVersion", MIN_API_VERSION)
                .put("Os", "linux")
                .put("Arch", arch());
        v.put("Version", node.version())
                .put("ApiVersion", API_VERSION)
                .put("MinAPIVersion", MIN_API_VERSION)
                .put("GitCommit", "")
                .put("GoVersion", "java " + Runtime.version())
                .put("Os", "linux")
                .put("Arch", arch())
                .put("KernelVersion", System.getProperty("os.version"));
        return v;
    }

    private ObjectNode info() {
        Manager manager = node.manager();
        ObjectNode info = Json.MAPPER.createObjectNode();
        info.put("ID", node.nodeId())
                .put("Name", node.hostname())
                .put("ServerVersion", node.version())
                .put("OSType", "linux")
                .put("OperatingSystem", "skep " + node.version())
                .put("Architecture", arch())
                .put("NCPU", Runtime.getRuntime().availableProcessors())
                .put("KernelVersion", System.getProperty("os.version"));
        ObjectNode runtimes = info.putObject("Runtimes");
        node.plugins().runtimes().forEach(r -> runtimes.putObject(r.name()).put("path", r.description()));
        if (node.defaultRuntime() != null) {
            info.put("DefaultRuntime", node.defaultRuntime());
        }
        // Docker's list form ("name=X,key=value"): which JSSE provider node-to-node TLS runs on.
        ArrayNode labels = info.putArray("Labels"); // Docker's form: key=value
        node.engineLabels().forEach((k, v) -> labels.add(k + "=" + v));
        info.putArray("SecurityOptions").add("name=tls,provider=" + io.skep.core.tls.TlsProvider.describe());
        ObjectNode swarm = info.putObject("Swarm");
        Membership membership = node.membership();
        swarm.put("NodeID", membership == null ? "" : node.nodeId())
                .put("NodeAddr", membership == null ? "" : membership.nodeAddr())
                .put("LocalNodeState", node.locked() ? "locked" : membership == null ? "inactive" : "active")
                .put("ControlAvailable", manager != null)
                .put("Error", "");
        if (membership != null && manager == null) {
            ArrayNode remote = swarm.putArray("RemoteManagers");
            membership.managers().forEach(addr -> remote.addObject().put("Addr", addr));
        }
        if (manager != null) {
            ArrayNode remote = swarm.putArray("RemoteManagers");
            manager.memory().nodes().stream()
                    .filter(n -> n.managerStatus != null)
                    .forEach(n -> remote.addObject().put("NodeID", n.id).put("Addr", n.managerStatus.addr));
            swarm.put("Nodes", manager.memory().nodes().size());
            swarm.put(
                    "Managers",
                    manager.memory().nodes().stream()
                            .filter(n -> "manager".equals(n.spec.role))
                            .count());
            Cluster c = manager.memory().cluster();
            if (c != null) {
                ObjectNode cluster = shown(c);
                cluster.remove(Cluster.JOIN_TOKENS);
                swarm.set("Cluster", cluster);
            }
        }
        return info;
    }

    private JsonNode swarm() {
        Manager manager = node.requireManager();
        Cluster c = manager.memory().cluster();
        if (c == null) {
            throw ApiException.unavailable("the swarm is still starting");
        }
        return shown(c);
    }

    /** The swarm as the API shows it: everything but its root CA's key and its unlock key. */
    private static ObjectNode shown(Cluster c) {
        ObjectNode o = (ObjectNode) Json.tree(c);
        o.remove(Cluster.ROOT_CA);
        o.remove(Cluster.UNLOCK_KEY);
        o.remove(Cluster.REMOVED_NODES);
        o.remove(Cluster.ROOT_ROTATION);
        o.remove("LastForcedRotation");
        return o;
    }

    /** {@code GET /swarm/unlockkey}: the managers' unlock key, or "" while the swarm is not autolocked. */
    private ApiResponse unlockKey(ApiRequest request) {
        Cluster c = node.requireManager().memory().cluster();
        if (c == null) {
            throw ApiException.unavailable("the swarm is still starting");
        }
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("UnlockKey", c.autoLockManagers() && c.unlockKey != null ? c.unlockKey : "");
        return ApiResponse.ok(answer);
    }

    /** {@code POST /swarm/unlock}: {@code {"UnlockKey":"SWMKEY-1-…"}} opens a locked manager's keys. */
    private ApiResponse unlock(ApiRequest request) throws Exception {
        JsonNode body = request.body(JsonNode.class, "unlock request");
        JsonNode key = body.path("UnlockKey");
        if (!key.isTextual()) {
            throw ApiException.badRequest("invalid UnlockKey: expected the unlock key (SWMKEY-1-...) as a string");
        }
        node.unlock(key.asText());
        return ApiResponse.empty(200);
    }

    /**
     * {@code POST /swarm/update?version=N&rotateWorkerToken=B&rotateManagerToken=B}: a new swarm spec, and new join
     * tokens for the roles asked (the old ones stop admitting nodes at once).
     */
    private ApiResponse update(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        Cluster current = manager.memory().cluster();
        if (current == null) {
            throw ApiException.unavailable("the swarm is still starting");
        }
        String versionParam = request.query("version");
        long version;
        try {
            version = Long.parseLong(versionParam == null ? "" : versionParam);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid swarm version \"" + (versionParam == null ? "" : versionParam)
                    + "\": the version query parameter must be the swarm's Version.Index");
        }
        JsonNode body = request.body(JsonNode.class, "swarm spec");
        SwarmSpecValidator.spec(body, "");
        Cluster.SwarmSpec spec = Json.MAPPER.convertValue(body, Cluster.SwarmSpec.class);
        Cluster next = Json.copy(current);
        spec.name = current.spec.name;
        if (spec.orchestration == null) {
            spec.orchestration = new Cluster.Orchestration();
        }
        if (spec.orchestration.taskHistoryRetentionLimit == null) {
            spec.orchestration.taskHistoryRetentionLimit = Defaults.TASK_HISTORY_RETENTION_LIMIT;
        }
        next.spec = spec;
        try {
            io.skep.core.ca.RootRotationRequest.apply(current, next, new SecureRandom(), java.time.Instant.now());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (IllegalStateException e) { // Bouncy Castle's PEM reader on text that is not base64
            throw ApiException.badRequest(
                    "invalid CAConfig.SigningCACert or SigningCAKey: not readable PEM (" + e.getMessage() + ")");
        }
        boolean autolock = next.autoLockManagers();
        if (!autolock) {
            next.unlockKey = null;
        } else if (next.unlockKey == null || "true".equals(request.query("rotateManagerUnlockKey"))) {
            next.unlockKey =
                    io.skep.core.pki.UnlockKey.generate(new SecureRandom()).text();
        }
        boolean worker = "true".equals(request.query("rotateWorkerToken"));
        boolean managerToken = "true".equals(request.query("rotateManagerToken"));
        if (worker || managerToken) {
            RootCa ca = RootCa.fromPem(current.rootCa.caCert, current.rootCa.caKey);
            SecureRandom random = new SecureRandom();
            Map<String, String> tokens = new HashMap<>(current.joinTokens);
            if (worker) {
                tokens.put("Worker", JoinToken.generate(ca, random).toString());
            }
            if (managerToken) {
                tokens.put("Manager", JoinToken.generate(ca, random).toString());
            }
            next.joinTokens = Map.copyOf(tokens);
        }
        next.version.index = version;
        CommitResult result = manager.commit(new Batch().update(next));
        if (!result.applied()) {
            throw ApiException.conflict(result.conflict());
        }
        return ApiResponse.empty(200);
    }

    /**
     * {@code POST /swarm/leave?force=B}: a manager leaves only when forced (it is the last one: its leaving erases
     * the swarm), with Docker's words.
     */
    private ApiResponse leave(ApiRequest request) throws Exception {
        if (node.locked()) {
            if (!request.flag("force")) {
                throw ApiException.unavailable("Swarm is encrypted and locked. Please unlock it first or use "
                        + "`--force` to ignore this message.");
            }
            node.leaveSwarm();
            return ApiResponse.empty(200);
        }
        if (node.membership() == null) {
            throw ApiException.unavailable("This node is not part of a swarm");
        }
        if (node.membership().manager() && !request.flag("force")) {
            throw ApiException.unavailable(leaveRefusal(node.requireManager()));
        }
        node.leaveSwarm();
        return ApiResponse.empty(200);
    }

    /** Docker's words to a manager that leaves without {@code --force}: what its leaving costs the swarm. */
    private static String leaveRefusal(Manager manager) throws java.io.IOException {
        String msg = "You are attempting to leave the swarm on a node that is participating as a manager. ";
        int members = manager.raft().members().size();
        if (members <= 1) {
            return msg + "Removing the last manager erases all current state of the swarm. Use `--force` to ignore "
                    + "this message. ";
        }
        long reachable = manager.memory().nodes().stream()
                .filter(n -> n.managerStatus != null && "reachable".equals(n.managerStatus.reachability))
                .count();
        msg += "Removing this node leaves " + (reachable - 1) + " managers out of " + members + ". ";
        if ((reachable - 1) * 2 <= members - 1) {
            msg += "Removing this node will cause the swarm to lose consensus. ";
        }
        return msg + "The only way to restore a swarm that has lost consensus is to reinitialize it with "
                + "`--force-new-cluster`. Use `--force` to suppress this message.";
    }

    private ApiResponse init(ApiRequest request) throws Exception {
        if (node.locked()) {
            throw ApiException.unavailable(NodeContext.LOCKED);
        }
        if (node.membership() != null
                && node.membership().manager()
                && request.body() != null
                && request.body().length > 0
                && request.body(JsonNode.class, "swarm init request")
                        .path("ForceNewCluster")
                        .asBoolean(false)) {
            return ApiResponse.ok(node.forceNewCluster());
        }
        if (node.membership() != null) {
            throw ApiException.unavailable(
                    "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and join another one.");
        }
        JsonNode body = request.body() == null || request.body().length == 0
                ? Json.MAPPER.createObjectNode()
                : request.body(JsonNode.class, "swarm init request");
        SwarmSpecValidator.initRequest(body);
        JsonNode ca = body.path("Spec").path("CAConfig");
        for (String field : java.util.List.of("SigningCACert", "SigningCAKey", "ExternalCAs")) {
            JsonNode value = ca.path(field);
            if (!value.isMissingNode()
                    && !value.isNull()
                    && !(value.isTextual() && value.asText().isEmpty())
                    && !(value.isArray() && value.isEmpty())) {
                throw ApiException.badRequest("invalid CAConfig." + field + ": a swarm starts with a root CA of its "
                        + "own; rotate to another with `swarm ca --rotate --ca-cert … --ca-key …` once it runs");
            }
        }
        // Checked as sent (the refusals name its fields), then read as the typed request.
        SwarmInitRequest typed = Json.MAPPER.treeToValue(body, SwarmInitRequest.class);
        try {
            return ApiResponse.ok(node.initSwarm(typed));
        } catch (IllegalArgumentException e) { // an address the node cannot read
            throw ApiException.badRequest("invalid " + e.getMessage());
        }
    }

    /** {@code POST /swarm/join}: Docker's join request; the node joins as a worker. */
    private ApiResponse join(ApiRequest request) throws Exception {
        if (node.locked()) {
            throw ApiException.unavailable(NodeContext.LOCKED);
        }
        JsonNode body = request.body(JsonNode.class, "swarm join request");
        SwarmSpecValidator.joinRequest(body);
        // Checked as sent (the refusals name its fields), then read as the typed request.
        SwarmJoinRequest typed = Json.MAPPER.treeToValue(body, SwarmJoinRequest.class);
        try {
            node.joinSwarm(typed);
        } catch (IllegalArgumentException e) { // an address the node cannot read
            throw ApiException.badRequest("invalid " + e.getMessage());
        }
        return ApiResponse.empty(200);
    }

    private ArrayNode plugins() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (PluginRegistry.LoadedPlugin p : node.plugins().all()) {
            ObjectNode o = out.addObject();
            o.put("Id", p.type() + "/" + p.name())
                    .put("Name", p.name())
                    .put("Enabled", true)
                    .put("PluginReference", p.module());
            ObjectNode config = o.putObject("Config");
            config.put("Description", p.description());
            config.putObject("Interface").putArray("Types").add("skep." + p.type() + "/1");
            // As Docker's plugins: the settable variables in Config.Env, the values set in Settings.Env.
            ArrayNode env = config.putArray("Env");
            ArrayNode set = o.putObject("Settings").putArray("Env");
            if (p.config() != null) {
                for (io.skep.spi.PluginOption<?> option : p.config().options()) {
                    env.addObject()
                            .put("Name", option.name())
                            .put("Description", option.description())
                            .put("Value", option.defaultText())
                            .putArray("Settable")
                            .add("value");
                }
                p.config().givenTexts().forEach((name, value) -> set.add(name + "=" + value));
            }
        }
        return out;
    }

    static String arch() {
        String arch = System.getProperty("os.arch");
        return Map.of("amd64", "x86_64", "aarch64", "aarch64").getOrDefault(arch, arch);
    }

    /** What this node says about itself to the dispatcher. */
    static Node.Description describe(NodeContext node, java.util.List<String> runtimes) {
        Node.Description d = new Node.Description();
        d.hostname = node.hostname();
        d.platform = new Node.Platform();
        d.platform.OS = "linux";
        d.platform.architecture = arch();
        d.resources = new Node.Resources();
        d.resources.nanoCPUs = Runtime.getRuntime().availableProcessors() * 1_000_000_000L;
        d.resources.memoryBytes = memTotal();
        d.engine = new Node.Engine();
        d.engine.engineVersion = "skep " + node.version();
        d.engine.labels = node.engineLabels().isEmpty() ? null : node.engineLabels();
        d.engine.plugins = runtimes.stream()
                .map(r -> new Node.PluginDescription(Node.RUNTIME_PLUGIN_TYPE, r))
                .toList();
        return d;
    }

    private static long memTotal() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // fall through: unknown
        }
        return Runtime.getRuntime().maxMemory();
    }
}
