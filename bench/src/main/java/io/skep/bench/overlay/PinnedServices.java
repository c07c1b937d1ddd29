package io.skep.bench.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.bench.SkepDaemon;
import io.skep.bench.faults.ManagerProcess;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scenario's services, through one manager's control API: one replica each, a process-runtime task (image
 * {@code host}) on one overlay network, pinned to a node by a {@code node.id==} constraint so that its traffic crosses
 * nodes.
 */
final class PinnedServices {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private final ManagerProcess api;
    private final String network;
    /** Every task of these services seen running, for {@link TaskLeftovers} (read by a shutdown hook too). */
    private final Set<String> taskIds;

    private final Set<String> live = new LinkedHashSet<>();

    /** @param taskIds where the IDs of the tasks seen running are added */
    PinnedServices(ManagerProcess api, String network, Set<String> taskIds) {
        this.api = api;
        this.network = network;
        this.taskIds = taskIds;
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
        String id = api.ok("POST", "/services/create", spec).path("ID").asText();
        live.add(id);
        return id;
    }

    void remove(String serviceId) {
        api.ok("DELETE", "/services/" + serviceId, null);
        live.remove(serviceId);
    }

    /**
     * Removes every service created here, and waits (a while) for their task processes to end: the daemons stop
     * their tasks and remove their namespaces, which a daemon killed later cannot.
     */
    void removeAll() {
        for (String id : List.copyOf(live)) {
            try {
                remove(id);
            } catch (RuntimeException e) {
                // the leftovers' sweep kills its task
            }
        }
        try {
            SkepDaemon.await(
                    "the tasks' processes to end",
                    SETTLE,
                    Duration.ofMillis(200),
                    () -> TaskLeftovers.processes(taskIds).isEmpty());
        } catch (IllegalStateException e) {
            // the leftovers' sweep kills them
        }
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
                    taskIds.add(t.path("ID").asText());
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
