package io.skep.core.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.skep.api.model.EndpointSpec;
import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.PortConfig;
import io.skep.api.model.Service;
import io.skep.core.store.Batch;
import io.skep.core.testing.Fixtures;
import io.skep.core.testing.InMemoryStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The allocator keeps each service's endpoint in step with its spec: Swarm's defaults filled in, a mesh port asked
 * without a number given one of 30000-32767 (per protocol, never one another service holds) and kept across updates.
 */
class PublishedPortsTest {
    private final InMemoryStore store = new InMemoryStore();
    private final Allocator allocator = new Allocator(store);

    private static PortConfig port(String protocol, long target, long published, String mode) {
        PortConfig p = new PortConfig();
        p.protocol = protocol;
        p.targetPort = target;
        p.publishedPort = published;
        p.publishMode = mode;
        return p;
    }

    /** {@code protocol/target:published/mode} of each port of the service's endpoint, as the allocator left it. */
    private List<String> endpoint(Service s) {
        Service now = store.memory().get(Kind.SERVICE, s.id);
        List<String> out = new ArrayList<>();
        if (now.endpoint.ports != null) {
            for (PortConfig p : now.endpoint.ports) {
                out.add(p.protocol + "/" + p.targetPort + ":" + p.publishedPort + "/" + p.publishMode);
            }
        }
        return out;
    }

    private Service service(String name, PortConfig... ports) {
        Service s = Fixtures.replicatedService(1);
        s.spec.name = name;
        s.spec.endpointSpec = new EndpointSpec();
        s.spec.endpointSpec.ports = new ArrayList<>(List.of(ports));
        store.commit(new Batch().create(s));
        return s;
    }

    private void respec(Service s, PortConfig... ports) {
        Service next = Json.copy(store.memory().<Service>get(Kind.SERVICE, s.id));
        next.spec.endpointSpec.ports = new ArrayList<>(List.of(ports));
        store.commit(new Batch().update(next));
    }

    @Test
    void meshPortsAskedWithoutANumberGetOneOfTheDynamicRangeAndKeepIt() throws Exception {
        Service web =
                service("web", port(null, 80, 0, null), port("udp", 53, 5353, "ingress"), port("tcp", 22, 0, "host"));
        allocator.passNow();
        assertEquals(List.of("tcp/80:30000/ingress", "udp/53:5353/ingress", "tcp/22:0/host"), endpoint(web));
        Service now = store.memory().get(Kind.SERVICE, web.id);
        assertEquals("vip", now.endpoint.spec.mode, "the endpoint's spec is the service's, with Swarm's defaults");
        assertEquals(3, now.endpoint.spec.ports.size());

        Service api = service("api", port("tcp", 8080, 0, "ingress"), port("udp", 9000, 0, "ingress"));
        allocator.passNow();
        assertEquals(
                List.of("tcp/8080:30001/ingress", "udp/9000:30000/ingress"),
                endpoint(api),
                "a port another service holds is not given again; each protocol has its own range");

        respec(web, port("tcp", 81, 0, "ingress"), port("tcp", 80, 0, "ingress"));
        allocator.passNow();
        assertEquals(
                List.of("tcp/81:30002/ingress", "tcp/80:30000/ingress"),
                endpoint(web),
                "a port asked again keeps its number; a new one gets the next free");

        respec(web, port("tcp", 81, 0, "ingress"));
        allocator.passNow();
        assertEquals(List.of("tcp/81:30002/ingress"), endpoint(web));
        Service db = service("db", port("tcp", 5432, 0, "ingress"));
        allocator.passNow();
        assertEquals(List.of("tcp/5432:30000/ingress"), endpoint(db), "a port given up is free again");

        long version = store.memory().<Service>get(Kind.SERVICE, db.id).version.index;
        allocator.passNow();
        assertEquals(
                version,
                store.memory().<Service>get(Kind.SERVICE, db.id).version.index,
                "nothing to change: nothing written");

        respec(db);
        allocator.passNow();
        assertEquals(List.of(), endpoint(db));
        assertNull(store.memory().<Service>get(Kind.SERVICE, db.id).endpoint.ports, "no ports: none shown");
    }
}
