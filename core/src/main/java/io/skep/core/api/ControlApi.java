package io.skep.core.api;

import io.skep.api.model.Node;
import java.util.List;
import java.util.Map;

/** The control API's routes (the Docker Engine API's swarm subset) and the headers every answer carries. */
public final class ControlApi {
    private ControlApi() {}

    public static Router router(NodeContext node) {
        Router router = new Router(() -> {
            // A follower reads what the leader has: a write made through another manager is seen here
            io.skep.core.manager.Manager m = node.locked() ? null : node.manager();
            if (m != null) {
                m.catchUp();
            }
        });
        new SystemRoutes(node).register(router);
        new NodeRoutes(node).register(router);
        new ServiceRoutes(node).register(router);
        new TaskRoutes(node).register(router);
        new NetworkRoutes(node).register(router);
        return router;
    }

    public static Map<String, String> headers(NodeContext node) {
        return Map.of(
                "Api-Version",
                SystemRoutes.API_VERSION,
                "Ostype",
                "linux",
                "Docker-Experimental",
                "false",
                "Server",
                "skep/" + node.version() + " (linux)");
    }

    /** This node's description for the dispatcher. */
    public static Node.Description describe(NodeContext node, List<String> runtimes) {
        return SystemRoutes.describe(node, runtimes);
    }
}
