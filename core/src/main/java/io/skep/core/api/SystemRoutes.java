package io.skep.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.core.manager.Manager;
import io.skep.core.model.Cluster;
import io.skep.core.model.Json;
import io.skep.core.model.Node;
import io.skep.core.plugins.PluginRegistry;

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
                .add("GET", "/plugins", r -> ApiResponse.ok(plugins()));
    }

    private ApiResponse ping(ApiRequest request) {
        return ApiResponse.text(200, "OK")
                .withHeader("Swarm", node.manager() == null ? "inactive" : "active/manager")
                .withHeader("Cache-Control", "no-cache, no-store, must-revalidate")
                .withHeader("Pragma", "no-cache");
    }

    private ObjectNode version() {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.putObject("Platform").put("Name", "skep " + node.version());
        ObjectNode engine = v.putArray("Components").addObject();
        engine.put("Name", "Engine").put("Version", node.version());
        engine.putObject("Details").put("ApiVersion", API_VERSION).put("MinAPIVersion", MIN_API_VERSION)
                .put("Os", "linux").put("Arch", arch());
        v.put("Version", node.version()).put("ApiVersion", API_VERSION).put("MinAPIVersion", MIN_API_VERSION)
                .put("GitCommit", "").put("GoVersion", "java " + Runtime.version()).put("Os", "linux")
                .put("Arch", arch()).put("KernelVersion", System.getProperty("os.version"));
        return v;
    }

    private ObjectNode info() {
        Manager manager = node.manager();
        ObjectNode info = Json.MAPPER.createObjectNode();
        info.put("ID", node.nodeId()).put("Name", node.hostname()).put("ServerVersion", node.version())
                .put("OSType", "linux").put("OperatingSystem", "skep " + node.version())
                .put("Architecture", arch()).put("NCPU", Runtime.getRuntime().availableProcessors())
                .put("KernelVersion", System.getProperty("os.version"));
        ObjectNode runtimes = info.putObject("Runtimes");
        node.plugins().runtimes().forEach(r -> runtimes.putObject(r.name()).put("path", r.description()));
        if (node.defaultRuntime() != null) {
            info.put("DefaultRuntime", node.defaultRuntime());
        }
        ObjectNode swarm = info.putObject("Swarm");
        swarm.put("NodeID", manager == null ? "" : node.nodeId()).put("NodeAddr", manager == null ? "" : "127.0.0.1")
                .put("LocalNodeState", manager == null ? "inactive" : "active")
                .put("ControlAvailable", manager != null).put("Error", "");
        if (manager != null) {
            swarm.putArray("RemoteManagers").addObject().put("NodeID", node.nodeId()).put("Addr", "127.0.0.1:2377");
            swarm.put("Nodes", manager.memory().nodes().size());
            swarm.put("Managers", manager.memory().nodes().stream().filter(n -> "manager".equals(n.spec.role)).count());
            Cluster c = manager.memory().cluster();
            if (c != null) {
                ObjectNode cluster = (ObjectNode) Json.tree(c);
                cluster.remove("JoinTokens");
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
        return Json.tree(c);
    }

    private ApiResponse init(ApiRequest request) throws Exception {
        if (node.manager() != null) {
            throw ApiException.unavailable("This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and join another one.");
        }
        JsonNode body = request.body() == null || request.body().length == 0
                ? Json.MAPPER.createObjectNode() : request.body(JsonNode.class, "swarm init request");
        return ApiResponse.ok(node.initSwarm(body));
    }

    private ArrayNode plugins() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (PluginRegistry.LoadedPlugin p : node.plugins().all()) {
            ObjectNode o = out.addObject();
            o.put("Id", p.type() + "/" + p.name()).put("Name", p.name()).put("Enabled", true)
                    .put("PluginReference", p.module());
            ObjectNode config = o.putObject("Config");
            config.put("Description", p.description());
            config.putObject("Interface").putArray("Types").add("skep." + p.type() + "/1");
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
        d.engine.plugins = runtimes.stream().map(r -> new Node.PluginDescription(Node.RUNTIME_PLUGIN_TYPE, r)).toList();
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
