package io.skep.core.api;

import io.skep.api.model.Cidr;
import io.skep.api.model.Cluster;
import io.skep.api.model.Ids;
import io.skep.api.model.Kind;
import io.skep.api.model.Network;
import io.skep.api.model.NetworkCreateRequest;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.core.allocator.Ipam;
import io.skep.core.manager.Manager;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.MemoryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /networks}: swarm networks (the overlay driver only), created with their subnet, gateway and VXLAN ID
 * chosen at once; listed, inspected, removed and pruned as dockerd does, and shown in Docker's network shape.
 */
final class NetworkRoutes {
    private static final Set<String> FILTERS = Set.of("driver", "id", "label", "name", "scope", "type", "dangling");
    private static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "until");
    /** Docker's network names ({@code restrictedNamePattern}). */
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$");

    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern GO_DURATIONS = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h))+");

    private static final String OVERLAY = "overlay";

    private final NodeContext node;
    /** One create at a time on this manager: the subnet and VXLAN ID it picks are free when it commits. */
    private final Object creating = new Object();

    NetworkRoutes(NodeContext node) {
        this.node = node;
    }

    void register(Router router) {
        router.add("POST", "/networks/create", this::create)
                .add("GET", "/networks", this::list)
                .add("POST", "/networks/prune", this::prune)
                .add("GET", "/networks/{id}", this::inspect)
                .add("DELETE", "/networks/{id}", this::remove);
    }

    // ------------------------------------------------------------------------------------------- create

    private ApiResponse create(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        NetworkCreateRequest r = request.body(NetworkCreateRequest.class, "network create request");
        Network n = validate(r);
        synchronized (creating) {
            MemoryStore m = manager.memory();
            for (Network other : m.networks()) {
                if (other.name.equals(n.name)) {
                    throw ApiException.conflict("network with name " + n.name + " already exists");
                }
                if (Boolean.TRUE.equals(n.ingress) && Boolean.TRUE.equals(other.ingress)) {
                    throw ApiException.conflict(
                            "ingress network " + other.name + " already exists: a swarm has one ingress network");
                }
            }
            allocate(n, m);
            commit(manager, new Batch().create(n));
        }
        return ApiResponse.json(201, Map.of("Id", n.id, "Warning", ""));
    }

    /** The request checked field by field and turned into the network to store (its allocations still to make). */
    private static Network validate(NetworkCreateRequest r) {
        if (r.name == null || r.name.isEmpty()) {
            throw FieldChecks.invalid("Name", "a network needs a name");
        }
        FieldChecks.text(r.name, RequestLimits.NAME_LENGTH, "Name");
        if (!NAME.matcher(r.name).matches()) {
            throw ApiException.badRequest("invalid Name \"" + FieldChecks.shown(r.name)
                    + "\": a network name is letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        String driver = r.driver == null || r.driver.isEmpty() ? OVERLAY : r.driver;
        if (!driver.equals(OVERLAY)) {
            throw ApiException.badRequest("invalid Driver \"" + FieldChecks.shown(driver)
                    + "\": skep's networks are swarm networks, made with the overlay driver (-d overlay)");
        }
        if (r.scope != null && !r.scope.isEmpty() && !r.scope.equals("swarm")) {
            throw ApiException.badRequest(
                    "invalid Scope \"" + FieldChecks.shown(r.scope) + "\": an overlay network's scope is swarm");
        }
        if (Boolean.TRUE.equals(r.enableIpv6)) {
            throw FieldChecks.invalid("EnableIPv6", "skep's overlay networks are IPv4 only");
        }
        if (Boolean.TRUE.equals(r.configOnly)) {
            throw FieldChecks.invalid("ConfigOnly", "configuration-only networks are not supported");
        }
        if (r.configFrom != null && !r.configFrom.getOrDefault("Network", "").isEmpty()) {
            throw FieldChecks.invalid("ConfigFrom", "configuration-only networks are not supported");
        }
        FieldChecks.labels(r.labels, "Labels");
        FieldChecks.labels(r.options, "Options");
        Network n = new Network();
        n.id = Ids.newId();
        n.createdAt = Ids.now();
        n.name = r.name;
        n.driver = driver;
        n.internal = Boolean.TRUE.equals(r.internal);
        n.attachable = Boolean.TRUE.equals(r.attachable);
        n.ingress = Boolean.TRUE.equals(r.ingress);
        n.labels = r.labels == null ? Map.of() : new TreeMap<>(r.labels);
        n.options = r.options == null ? new TreeMap<>() : new TreeMap<>(r.options);
        String vxlan = n.options.get(Network.VXLAN_OPTION);
        if (vxlan != null) {
            n.vxlanId = vxlanId(vxlan);
        }
        n.ipam = new Network.Ipam();
        n.ipam.driver = "default";
        n.ipam.options = Map.of();
        n.ipam.config = new ArrayList<>();
        if (r.ipam != null) {
            if (r.ipam.driver != null && !r.ipam.driver.isEmpty() && !r.ipam.driver.equals("default")) {
                throw ApiException.badRequest("invalid IPAM.Driver \"" + FieldChecks.shown(r.ipam.driver)
                        + "\": skep's address management is the default driver");
            }
            FieldChecks.labels(r.ipam.options, "IPAM.Options");
            n.ipam.options = r.ipam.options == null ? Map.of() : new TreeMap<>(r.ipam.options);
            if (r.ipam.config != null && r.ipam.config.size() > 1) {
                throw FieldChecks.invalid(
                        "IPAM.Config", "skep's networks have one subnet, got " + r.ipam.config.size() + " entries");
            }
            if (r.ipam.config != null && r.ipam.config.size() == 1) {
                Network.IpamConfig c = r.ipam.config.get(0);
                if (c == null) {
                    throw FieldChecks.invalid("IPAM.Config[0]", "expected an object, got null");
                }
                n.ipam.config.add(checkConfig(c, "IPAM.Config[0]."));
            }
        }
        return n;
    }

    private static long vxlanId(String text) {
        long id;
        try {
            id = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid Options[" + Network.VXLAN_OPTION + "] \"" + FieldChecks.shown(text)
                    + "\": expected one VXLAN ID, a number");
        }
        if (id < 1 || id > Ipam.LAST_VXLAN_ID) {
            throw ApiException.badRequest("invalid Options[" + Network.VXLAN_OPTION + "]: a VXLAN ID is 1 to "
                    + Ipam.LAST_VXLAN_ID + ", got " + id);
        }
        return id;
    }

    /** One {@code IPAM.Config} entry: a subnet, and a gateway and range inside it. */
    private static Network.IpamConfig checkConfig(Network.IpamConfig c, String field) {
        boolean noSubnet = c.subnet == null || c.subnet.isEmpty();
        boolean gateway = c.gateway != null && !c.gateway.isEmpty();
        boolean range = c.ipRange != null && !c.ipRange.isEmpty();
        boolean aux = c.auxiliaryAddresses != null && !c.auxiliaryAddresses.isEmpty();
        if (noSubnet) {
            if (gateway || range || aux) {
                throw FieldChecks.invalid(field + "Subnet", "a gateway, IP range or auxiliary address needs a subnet");
            }
            return new Network.IpamConfig(); // the allocator picks one
        }
        Network.IpamConfig out = new Network.IpamConfig();
        Cidr subnet = cidr(c.subnet, field + "Subnet");
        if (subnet.bits() < 8 || subnet.bits() > 30) {
            throw FieldChecks.invalid(field + "Subnet", "a subnet's prefix length is 8 to 30, got " + subnet);
        }
        out.subnet = subnet.toString();
        if (range) {
            Cidr r = cidr(c.ipRange, field + "IPRange");
            if (!subnet.contains(r)) {
                throw FieldChecks.invalid(field + "IPRange", r + " is not inside the subnet " + subnet);
            }
            out.ipRange = r.toString();
        }
        if (gateway) {
            out.gateway = hostAddress(c.gateway, subnet, field + "Gateway");
        }
        if (aux) {
            FieldChecks.labels(c.auxiliaryAddresses, field + "AuxiliaryAddresses");
            Map<String, String> kept = new TreeMap<>();
            c.auxiliaryAddresses.forEach((name, address) ->
                    kept.put(name, hostAddress(address, subnet, field + "AuxiliaryAddresses[" + name + "]")));
            out.auxiliaryAddresses = kept;
        }
        return out;
    }

    private static Cidr cidr(String text, String field) {
        FieldChecks.text(text, RequestLimits.NAME_LENGTH, field);
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw FieldChecks.invalid(field, e.getMessage());
        }
    }

    /** An address of {@code subnet} that a host may have (neither the network's nor its broadcast address). */
    private static String hostAddress(String text, Cidr subnet, String field) {
        FieldChecks.text(text, RequestLimits.NAME_LENGTH, field);
        long address;
        try {
            address = Cidr.address(text);
        } catch (IllegalArgumentException e) {
            throw FieldChecks.invalid(field, e.getMessage());
        }
        if (!subnet.contains(address)) {
            throw FieldChecks.invalid(field, text + " is not inside the subnet " + subnet);
        }
        if (address == subnet.base() || address == subnet.last()) {
            throw FieldChecks.invalid(
                    field, text + " is the network or broadcast address of " + subnet + ", not a host's");
        }
        return Cidr.format(address);
    }

    /** The subnet (from the default pool unless given), gateway and VXLAN ID, none of them another network's. */
    private static void allocate(Network n, MemoryStore m) {
        List<Network> others = m.networks();
        List<Cidr> taken = others.stream()
                .map(Network::subnet)
                .filter(java.util.Objects::nonNull)
                .toList();
        if (n.ipam.config.isEmpty()) {
            n.ipam.config.add(new Network.IpamConfig());
        }
        Network.IpamConfig c = n.ipam.config.get(0);
        if (c.subnet == null) {
            Cluster cluster = m.cluster();
            List<String> pools = cluster == null || cluster.defaultAddrPool == null || cluster.defaultAddrPool.isEmpty()
                    ? List.of(io.skep.api.model.Defaults.ADDRESS_POOL)
                    : cluster.defaultAddrPool;
            int size = cluster == null || cluster.subnetSize == null || cluster.subnetSize == 0
                    ? 24
                    : cluster.subnetSize.intValue();
            Cidr subnet = Ipam.nextSubnet(pools, size, taken);
            if (subnet == null) {
                throw new ApiException(
                        403,
                        "could not find an available, non-overlapping IPv4 address pool among the defaults to assign "
                                + "to the network (default address pools " + String.join(", ", pools) + ", /" + size
                                + " each)");
            }
            c.subnet = subnet.toString();
        } else {
            Cidr subnet = Cidr.parse(c.subnet);
            for (Network other : others) {
                Cidr o = other.subnet();
                if (o != null && o.overlaps(subnet)) {
                    throw FieldChecks.invalid(
                            "IPAM.Config[0].Subnet",
                            "Pool overlaps with other one on this address space: " + subnet + " overlaps " + "network "
                                    + other.name + "'s " + o);
                }
            }
        }
        if (c.gateway == null) {
            c.gateway = Ipam.gateway(Cidr.parse(c.subnet));
        }
        if (n.vxlanId == null) {
            n.vxlanId = Ipam.nextVxlanId(others);
        } else {
            for (Network other : others) {
                if (n.vxlanId.equals(other.vxlanId)) {
                    throw ApiException.badRequest("invalid Options[" + Network.VXLAN_OPTION + "]: VXLAN ID " + n.vxlanId
                            + " is used by network " + other.name);
                }
            }
        }
        n.options.put(Network.VXLAN_OPTION, String.valueOf(n.vxlanId));
    }

    // ------------------------------------------------------------------------------------------- read

    private ApiResponse list(ApiRequest request) {
        Manager manager = node.requireManager();
        Filters f = Filters.parse(request.query("filters"), FILTERS);
        MemoryStore m = manager.memory();
        for (String d : f.values().getOrDefault("dangling", Set.of())) {
            if (!d.equals("true") && !d.equals("false") && !d.equals("1") && !d.equals("0")) {
                throw ApiException.badRequest("invalid filter 'dangling=" + d + "'");
            }
        }
        for (String t : f.values().getOrDefault("type", Set.of())) {
            if (!t.equals("custom") && !t.equals("builtin")) {
                throw ApiException.badRequest("invalid filter: 'type'='" + t + "'");
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        List<Network> networks = new ArrayList<>(m.networks());
        networks.sort(Comparator.comparing(n -> n.createdAt));
        for (Network n : networks) {
            boolean match = f.matches("id", n.id::contains)
                    && f.matches("name", n.name::contains)
                    && f.matches("driver", n.driver::equals)
                    && f.matches("scope", "swarm"::equals)
                    && f.matches("type", "custom"::equals)
                    && f.matchesLabels("label", n.labels)
                    && f.matches("dangling", d -> (d.equals("true") || d.equals("1")) == (user(m, n) == null));
            if (match) {
                out.add(view(n));
            }
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse inspect(ApiRequest request) {
        Manager manager = node.requireManager();
        return ApiResponse.ok(view(network(manager.memory(), request.param("id"))));
    }

    static Network network(MemoryStore m, String ref) {
        return Resolve.network(m, ref);
    }

    /** A network in Docker's shape ({@code GET /networks/{id}}). */
    static Map<String, Object> view(Network n) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("Name", n.name);
        v.put("Id", n.id);
        v.put("Created", n.createdAt);
        v.put("Scope", "swarm");
        v.put("Driver", n.driver);
        v.put("EnableIPv6", false);
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("Driver", n.ipam == null || n.ipam.driver == null ? "default" : n.ipam.driver);
        ipam.put("Options", n.ipam == null || n.ipam.options == null ? Map.of() : n.ipam.options);
        List<Map<String, Object>> configs = new ArrayList<>();
        if (n.ipam != null && n.ipam.config != null) {
            for (Network.IpamConfig c : n.ipam.config) {
                Map<String, Object> config = new LinkedHashMap<>();
                config.put("Subnet", c.subnet);
                if (c.ipRange != null) {
                    config.put("IPRange", c.ipRange);
                }
                config.put("Gateway", c.gateway);
                if (c.auxiliaryAddresses != null) {
                    config.put("AuxiliaryAddresses", c.auxiliaryAddresses);
                }
                configs.add(config);
            }
        }
        ipam.put("Config", configs);
        v.put("IPAM", ipam);
        v.put("Internal", Boolean.TRUE.equals(n.internal));
        v.put("Attachable", Boolean.TRUE.equals(n.attachable));
        v.put("Ingress", Boolean.TRUE.equals(n.ingress));
        v.put("ConfigFrom", Map.of("Network", ""));
        v.put("ConfigOnly", false);
        v.put("Containers", Map.of());
        v.put("Options", n.options == null ? Map.of() : n.options);
        v.put("Labels", n.labels == null ? Map.of() : n.labels);
        return v;
    }

    // ------------------------------------------------------------------------------------------- remove

    private ApiResponse remove(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        MemoryStore m = manager.memory();
        Network n = network(m, request.param("id"));
        String user = user(m, n);
        if (user != null) {
            throw ApiException.badRequest(user);
        }
        commit(manager, new Batch().delete(Kind.NETWORK, n.id));
        return ApiResponse.empty(204);
    }

    /**
     * What keeps the network from being removed, in swarmkit's words ({@code network … is in use by service …}), or
     * null: a service whose spec names it, or a task that still wants to run on it.
     */
    static String user(MemoryStore m, Network n) {
        for (Service s : m.services()) {
            if (s.spec != null && s.spec.taskTemplate != null && s.spec.taskTemplate.networks != null) {
                for (TaskSpec.NetworkAttachmentConfig a : s.spec.taskTemplate.networks) {
                    if (a != null && n.id.equals(a.target)) {
                        return "network " + n.id + " is in use by service " + s.id;
                    }
                }
            }
        }
        for (Task t : m.tasks()) {
            if (t.isWanted() && t.networksAttachments != null) {
                for (Task.NetworkAttachment a : t.networksAttachments) {
                    if (a.network != null && n.id.equals(a.network.id)) {
                        return "network " + n.id + " is in use by task " + t.id;
                    }
                }
            }
        }
        return null;
    }

    /** {@code POST /networks/prune}: every network no service or task uses, as the filters allow. */
    private ApiResponse prune(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        Filters f = Filters.parse(request.query("filters"), PRUNE_FILTERS);
        Instant until = null;
        for (String u : f.values().getOrDefault("until", Set.of())) {
            until = until(u);
        }
        MemoryStore m = manager.memory();
        List<String> deleted = new ArrayList<>();
        Batch batch = new Batch();
        for (Network n : m.networks()) {
            boolean keep = Boolean.TRUE.equals(n.ingress)
                    || user(m, n) != null
                    || !f.matchesLabels("label", n.labels)
                    || excludedByLabel(f, n.labels)
                    || (until != null
                            && n.createdAt != null
                            && !Instant.parse(n.createdAt).isBefore(until));
            if (!keep) {
                batch.delete(Kind.NETWORK, n.id);
                deleted.add(n.name);
            }
        }
        commit(manager, batch);
        deleted.sort(String::compareTo);
        return ApiResponse.ok(Map.of("NetworksDeleted", deleted));
    }

    /** {@code label!=key} or {@code label!=key=value}: a network with a matching label is kept. */
    private static boolean excludedByLabel(Filters f, Map<String, String> labels) {
        Set<String> not = f.values().get("label!");
        if (not == null) {
            return false;
        }
        Map<String, String> have = labels == null ? Map.of() : labels;
        for (String w : not) {
            int eq = w.indexOf('=');
            if (eq < 0 ? have.containsKey(w) : w.substring(eq + 1).equals(have.get(w.substring(0, eq)))) {
                return true;
            }
        }
        return false;
    }

    /** Docker's {@code until}: a Go duration before now ({@code 24h}), an RFC 3339 time, or Unix seconds. */
    static Instant until(String value) {
        if (GO_DURATIONS.matcher(value).matches()) {
            Matcher parts = GO_DURATION.matcher(value);
            double nanos = 0;
            while (parts.find()) {
                double amount = Double.parseDouble(parts.group(1));
                nanos += amount
                        * switch (parts.group(2)) {
                            case "ns" -> 1;
                            case "us", "µs" -> 1e3;
                            case "ms" -> 1e6;
                            case "s" -> 1e9;
                            case "m" -> 60e9;
                            default -> 3600e9;
                        };
            }
            return Instant.now().minus(Duration.ofNanos((long) nanos));
        }
        try {
            return Instant.parse(value);
        } catch (java.time.format.DateTimeParseException notRfc3339) {
            try {
                double seconds = Double.parseDouble(value);
                return Instant.ofEpochMilli((long) (seconds * 1000));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid filter 'until=" + FieldChecks.shown(value)
                        + "': expected a duration such as 24h, an RFC 3339 time or Unix seconds");
            }
        }
    }

    private static void commit(Manager manager, Batch batch) throws Exception {
        CommitResult result = manager.commit(batch);
        if (!result.applied()) {
            throw ApiException.conflict(result.conflict());
        }
    }
}
