package io.skep.core.allocator;

import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Network;
import io.skep.api.model.PortConfig;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.store.Batch;
import io.skep.core.store.MemoryStore;
import io.skep.core.store.ServicePatch;
import io.skep.core.store.StoreEvent;
import io.skep.core.store.TaskPatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocates what a task needs cluster-wide before it can be scheduled (NEW → PENDING): an address on each network of
 * its service. Also keeps each service's virtual IPs, one per network, in step with its spec (none in {@code dnsrr}
 * mode), and its endpoint with its published ports ({@link PublishedPorts}). Which addresses are taken is read from the store on every pass ({@link AddressSpace}), so nothing is lost or
 * handed out twice when the leader changes.
 */
public final class Allocator extends ReconcileLoop {
    private static final Logger LOG = LoggerFactory.getLogger(Allocator.class);

    private final StoreWriter store;

    public Allocator(StoreWriter store) {
        super("allocator");
        this.store = store;
    }

    @Override
    protected boolean interested(List<StoreEvent> events) {
        return events.stream()
                .anyMatch(e -> e.kind() == Kind.SERVICE
                        || e.kind() == Kind.NETWORK
                        || (e.kind() == Kind.TASK
                                && e.type() != StoreEvent.Type.DELETED
                                && ((Task) e.object()).state() == TaskState.NEW));
    }

    @Override
    protected void reconcile() throws Exception {
        MemoryStore memory = store.memory();
        Map<String, AddressSpace> spaces = AddressSpace.of(memory);
        PublishedPorts published = PublishedPorts.of(memory);
        Batch batch = new Batch();
        List<Service> services = new ArrayList<>(memory.services());
        services.sort(java.util.Comparator.comparing(s -> s.id)); // the same order on every manager
        for (Service s : services) {
            ServicePatch p = new ServicePatch();
            List<Service.VirtualIp> wanted = virtualIps(s, spaces);
            List<Service.VirtualIp> now =
                    s.endpoint == null || s.endpoint.virtualIps == null ? List.of() : s.endpoint.virtualIps;
            if (!sameVips(wanted, now)) {
                p.virtualIps = wanted;
            }
            Service.Endpoint endpoint = published.endpointOf(s);
            if (s.endpoint == null || !Json.same(endpoint.spec, s.endpoint.spec)) {
                p.endpointSpec = endpoint.spec;
            }
            List<PortConfig> ports = endpoint.ports == null ? List.of() : endpoint.ports;
            List<PortConfig> had = s.endpoint == null || s.endpoint.ports == null ? List.of() : s.endpoint.ports;
            if (!Json.same(ports, had)) {
                p.ports = ports;
            }
            if (p.virtualIps != null || p.endpointSpec != null || p.ports != null) {
                batch.patchService(s.id, p);
            }
        }
        for (Task t : memory.tasks()) {
            if (t.state() == TaskState.NEW && t.isWanted()) {
                List<Task.NetworkAttachment> attachments = attachments(t, spaces);
                if (attachments == null) {
                    continue; // a network is full: the task waits
                }
                Task.TaskStatus s = new Task.TaskStatus();
                s.state = TaskState.PENDING.wire();
                s.message = "pending task scheduling";
                s.timestamp = Ids.now();
                TaskPatch p = TaskPatch.status(s);
                p.networksAttachments = attachments.isEmpty() ? null : attachments;
                batch.patchTask(t.id, p);
            }
        }
        store.commit(batch);
    }

    /** The networks a spec attaches to, by network ID, each once. */
    private static Set<String> networkIds(List<TaskSpec.NetworkAttachmentConfig> networks) {
        Set<String> ids = new LinkedHashSet<>();
        if (networks != null) {
            for (TaskSpec.NetworkAttachmentConfig n : networks) {
                if (n != null && n.target != null) {
                    ids.add(n.target);
                }
            }
        }
        return ids;
    }

    /**
     * The VIPs the service should have: the ones it has on networks it still uses, and a new one on each network it
     * has none on; none at all in {@code dnsrr} mode.
     */
    private static List<Service.VirtualIp> virtualIps(Service s, Map<String, AddressSpace> spaces) {
        List<Service.VirtualIp> out = new ArrayList<>();
        if (s.spec == null || s.spec.taskTemplate == null) {
            return out;
        }
        String mode = s.spec.endpointSpec == null ? null : s.spec.endpointSpec.mode;
        if ("dnsrr".equals(mode)) {
            return out;
        }
        Map<String, Service.VirtualIp> kept = new HashMap<>();
        if (s.endpoint != null && s.endpoint.virtualIps != null) {
            s.endpoint.virtualIps.forEach(v -> kept.put(v.networkId, v));
        }
        for (String networkId : networkIds(s.spec.taskTemplate.networks)) {
            AddressSpace space = spaces.get(networkId);
            if (space == null) {
                continue;
            }
            Service.VirtualIp vip = kept.get(networkId);
            if (vip == null || vip.addr == null || !space.owns(vip.addr)) {
                String addr = space.allocate();
                if (addr == null) {
                    LOG.warn(
                            "no address left on network {} for a virtual IP of service {}",
                            space.network().name,
                            s.name());
                    continue;
                }
                vip = new Service.VirtualIp();
                vip.networkId = networkId;
                vip.addr = addr;
            }
            out.add(vip);
        }
        return out;
    }

    private static boolean sameVips(List<Service.VirtualIp> a, List<Service.VirtualIp> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Objects.equals(a.get(i).networkId, b.get(i).networkId)
                    || !Objects.equals(a.get(i).addr, b.get(i).addr)) {
                return false;
            }
        }
        return true;
    }

    /** An address on each of the task's networks (empty without networks); null when one of them is full. */
    private static List<Task.NetworkAttachment> attachments(Task t, Map<String, AddressSpace> spaces) {
        List<Task.NetworkAttachment> out = new ArrayList<>();
        if (t.spec == null || t.spec.networks == null) {
            return out;
        }
        for (TaskSpec.NetworkAttachmentConfig config : t.spec.networks) {
            AddressSpace space = config == null ? null : spaces.get(config.target);
            if (space == null) {
                continue; // the API refuses an unknown network and a network in use cannot be removed
            }
            String address = space.allocate();
            if (address == null) {
                LOG.warn("no address left on network {} for task {}", space.network().name, t.id);
                return null;
            }
            Task.NetworkAttachment a = new Task.NetworkAttachment();
            a.network = attached(space.network());
            a.addresses = List.of(address);
            a.aliases = config.aliases == null || config.aliases.isEmpty() ? null : List.copyOf(config.aliases);
            out.add(a);
        }
        return out;
    }

    /** The network as a task's attachment shows it (swarmkit's shape): what a node needs to plumb it. */
    static Task.AttachedNetwork attached(Network n) {
        Task.AttachedNetwork a = new Task.AttachedNetwork();
        a.id = n.id;
        Map<String, Object> spec = new HashMap<>();
        spec.put("Name", n.name);
        if (n.labels != null) {
            spec.put("Labels", n.labels);
        }
        spec.put("DriverConfiguration", Map.of("Name", n.driver));
        spec.put("Internal", Boolean.TRUE.equals(n.internal));
        spec.put("Attachable", Boolean.TRUE.equals(n.attachable));
        spec.put("Scope", "swarm");
        a.spec = spec;
        // the driver's options as the network was created with them, and the VXLAN ID Docker shows among them
        Map<String, String> options = new HashMap<>();
        if (n.options != null) {
            options.putAll(n.options);
        }
        options.put(Network.VXLAN_OPTION, String.valueOf(n.vxlanId));
        a.driverState = Map.of("Name", n.driver, "Options", options);
        Network.IpamConfig c = n.subnetConfig();
        Map<String, String> config = new HashMap<>();
        config.put("Subnet", c.subnet);
        if (c.gateway != null) {
            config.put("Gateway", c.gateway);
        }
        a.ipamOptions = Map.of("Driver", Map.of("Name", "default"), "Configs", List.of(config));
        return a;
    }
}
