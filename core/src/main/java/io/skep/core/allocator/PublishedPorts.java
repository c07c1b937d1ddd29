package io.skep.core.allocator;

import io.skep.api.model.EndpointSpec;
import io.skep.api.model.Json;
import io.skep.api.model.PortConfig;
import io.skep.api.model.Service;
import io.skep.core.store.MemoryStore;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services' published ports (swarmkit's port allocator). A service's {@code Endpoint} follows its
 * {@code EndpointSpec}: its spec, and its ports with Swarm's defaults filled in. A port published through the mesh
 * without a number gets one from the dynamic range, {@value #DYNAMIC_FIRST}–{@value #DYNAMIC_LAST}, and keeps it for as
 * long as the service asks for that port (same name, protocol, target and mode); a mesh port one service holds is
 * never given to another. Host-mode ports are the node's business: the scheduler keeps two tasks that publish the
 * same one apart. Which ports are taken is read from the store on every pass, so a new leader hands out none twice.
 */
final class PublishedPorts {
    private static final Logger LOG = LoggerFactory.getLogger(PublishedPorts.class);

    /** Swarm's dynamic range for published ports. */
    static final int DYNAMIC_FIRST = 30000;

    static final int DYNAMIC_LAST = 32767;

    /** The mesh ports taken, per protocol: every service's, as its endpoint and its spec have them. */
    private final Map<String, BitSet> taken = new HashMap<>();

    private PublishedPorts() {}

    /** The mesh ports the services hold or ask for now. */
    static PublishedPorts of(MemoryStore memory) {
        PublishedPorts ports = new PublishedPorts();
        for (Service s : memory.services()) {
            if (s.endpoint != null && s.endpoint.ports != null) {
                s.endpoint.ports.forEach(ports::take);
            }
            EndpointSpec spec = s.spec == null ? null : s.spec.endpointSpec;
            if (spec != null && spec.ports != null) {
                spec.ports.forEach(ports::take);
            }
        }
        return ports;
    }

    private void take(PortConfig p) {
        if (p != null && p.throughMesh() && p.publishedOrZero() > 0 && p.publishedOrZero() <= 65535) {
            taken.computeIfAbsent(p.protocolOrTcp(), k -> new BitSet()).set((int) p.publishedOrZero());
        }
    }

    /**
     * The endpoint {@code s} should have: its spec's, with each mesh port asked without a number given the one it
     * had, or else the first free one of the dynamic range (none when the range is full: the port is left out and
     * said). Ports handed out here are taken for the services that follow in the same pass.
     */
    Service.Endpoint endpointOf(Service s) {
        EndpointSpec spec =
                s.spec == null || s.spec.endpointSpec == null ? new EndpointSpec() : Json.copy(s.spec.endpointSpec);
        if (spec.mode == null) {
            spec.mode = "vip";
        }
        Service.Endpoint endpoint = new Service.Endpoint();
        endpoint.spec = spec;
        endpoint.virtualIps = s.endpoint == null ? null : s.endpoint.virtualIps;
        if (spec.ports == null || spec.ports.isEmpty()) {
            return endpoint;
        }
        List<PortConfig> had = new ArrayList<>();
        if (s.endpoint != null && s.endpoint.ports != null) {
            s.endpoint.ports.forEach(p -> had.add(p.withDefaults()));
        }
        List<PortConfig> ports = new ArrayList<>();
        for (PortConfig asked : spec.ports) {
            PortConfig p = asked.withDefaults();
            if (p.throughMesh() && p.publishedPort == 0) {
                PortConfig kept = dynamicOf(p, had);
                if (kept != null) {
                    had.remove(kept);
                    p.publishedPort = kept.publishedPort;
                } else {
                    int free = free(p.protocol);
                    if (free < 0) {
                        LOG.warn(
                                "no published port left in {}-{}/{} for service {}",
                                DYNAMIC_FIRST,
                                DYNAMIC_LAST,
                                p.protocol,
                                s.name());
                        continue;
                    }
                    taken.computeIfAbsent(p.protocol, k -> new BitSet()).set(free);
                    p.publishedPort = (long) free;
                }
            }
            ports.add(p);
        }
        endpoint.ports = ports;
        return endpoint;
    }

    /** The port {@code s} had for {@code asked} from the dynamic range, if any. */
    private static PortConfig dynamicOf(PortConfig asked, List<PortConfig> had) {
        for (PortConfig p : had) {
            if (p.sameAsked(asked) && p.publishedPort >= DYNAMIC_FIRST && p.publishedPort <= DYNAMIC_LAST) {
                return p;
            }
        }
        return null;
    }

    /** The first port of the dynamic range free for {@code protocol}, or -1. */
    private int free(String protocol) {
        BitSet used = taken.computeIfAbsent(protocol, k -> new BitSet());
        int port = used.nextClearBit(DYNAMIC_FIRST);
        return port <= DYNAMIC_LAST ? port : -1;
    }
}
