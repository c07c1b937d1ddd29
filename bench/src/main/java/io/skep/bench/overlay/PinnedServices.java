package io.skep.bench.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.bench.SkepDaemon;
import io.skep.bench.faults.ManagerProcess;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The scenario's services, through one manager's control API: one replica each, a process-runtime task (image
 * {@code host}) on one overlay network, pinned to a node by a {@code node.id==} constraint so that its traffic crosses
 * nodes.
 */
final class PinnedServices {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private final ManagerProcess api;
    private final String network;

    PinnedServices(ManagerProcess api, String network) {
        this.api = api;
        this.network = network;
    }

    /** Creates the overlay network the services join. */
    void createNetwork() {
        api.ok("POST", "/networks/create", Map.of("Name", network, "Driver", "overlay"));
    }

    /** Creates a service of one task running {@code command} on {@code node}; returns its ID. */
    String create(String name, ManagerProcess node, List<String> command) {
        Map<String, Object> spec = Map.of(
                "Name",
                name,
                "TaskTemplate",
                Map.of(
                        "ContainerSpec",
                        Map.of("Image", "host", "Command", command),
                        "Networks",
                        List.of(Map.of("Target", network)),
                        "Placement",
                        Map.of("Constraints", List.of("node.id==" + node.nodeId()))),
                "Mode",
                Map.of("Replicated", Map.of("Replicas", 1)),
                "EndpointSpec",
                Map.of("Mode", "vip"));
        return api.ok("POST", "/services/create", spec).path("ID").asText();
    }

    void remove(String serviceId) {
        api.ok("DELETE", "/services/" + serviceId, null);
    }

    /** The service's task once it runs (the task as {@code GET /tasks} shows it). */
    JsonNode runningTask(String serviceId) {
        List<JsonNode> found = new ArrayList<>();
        SkepDaemon.await("a running task of " + serviceId, SETTLE, Duration.ofMillis(100), () -> {
            String filter = URLEncoder.encode("{\"service\":[\"" + serviceId + "\"]}", StandardCharsets.UTF_8);
            for (JsonNode t : api.ok("GET", "/tasks?filters=" + filter, null)) {
                if (t.path("Status").path("State").asText().equals("running")
                        && t.path("DesiredState").asText().equals("running")) {
                    found.add(t);
                    return true;
                }
            }
            return false;
        });
        return found.getFirst();
    }

    /** The service's virtual IP on the network. */
    String vip(String serviceId) {
        JsonNode vips =
                api.ok("GET", "/services/" + serviceId, null).path("Endpoint").path("VirtualIPs");
        if (vips.isEmpty()) {
            throw new IllegalStateException("service " + serviceId + " has no virtual IP");
        }
        return withoutPrefix(vips.get(0).path("Addr").asText());
    }

    /** The task's own address on its (first) network. */
    static String address(JsonNode task) {
        return withoutPrefix(task.path("NetworksAttachments")
                .path(0)
                .path("Addresses")
                .path(0)
                .asText());
    }

    private static String withoutPrefix(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalStateException("not an address with a prefix length: '" + cidr + "'");
        }
        return cidr.substring(0, slash);
    }
}
