package io.skep.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.bench.faults.History.Observation;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The services as every manager holds them, once they all hold the same: each manager applies the same committed
 * entries, so once no write is in flight their copies must meet. What they agree on is the final state the
 * checker compares the history with.
 */
final class AgreedState {
    private static final Duration ASK = Duration.ofSeconds(5);
    private static final Duration EVERY = Duration.ofMillis(100);

    private AgreedState() {}

    /** One service as the managers agree it is. */
    record Service(String id, Observation state, int replicas) {}

    /**
     * @param services by name; null when the managers did not agree within the bound
     * @param problem  what kept them apart (the last difference seen, or a manager that did not answer)
     */
    record Result(Map<String, Service> services, String problem) {}

    static Result await(FaultSwarm swarm, Duration within) throws InterruptedException {
        String[] problem = {"nothing asked yet"};
        List<Map<String, Service>> last = new ArrayList<>();
        boolean agreed = Poll.until(within, EVERY, () -> {
            last.clear();
            for (ManagerProcess m : swarm.managers()) {
                Map<String, Service> copy = services(m);
                if (copy == null) {
                    problem[0] = m.name() + " did not list its services";
                    return false;
                }
                if (!last.isEmpty() && !last.getFirst().equals(copy)) {
                    problem[0] = swarm.managers().getFirst().name() + " and " + m.name() + " differ: "
                            + difference(last.getFirst(), copy);
                    return false;
                }
                last.add(copy);
            }
            return true;
        });
        return new Result(agreed ? last.getFirst() : null, problem[0]);
    }

    /** {@code GET /services} of one manager, or null when it does not answer. */
    private static Map<String, Service> services(ManagerProcess m) {
        try {
            UnixHttpClient.Response r = m.call("GET", "/services", null, ASK);
            if (!r.ok()) {
                return null;
            }
            Map<String, Service> out = new TreeMap<>();
            for (JsonNode s : r.json()) {
                Observation o = ServiceWriter.observe(s, m.name() + " (final)");
                // the reading manager is not part of the state: compare without it
                Observation state = new Observation(o.service(), o.version(), o.value(), o.previousValue(), "agreed");
                out.put(
                        o.service(),
                        new Service(
                                s.path("ID").asText(),
                                state,
                                s.path("Spec")
                                        .path("Mode")
                                        .path("Replicated")
                                        .path("Replicas")
                                        .asInt(0)));
            }
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    private static String difference(Map<String, Service> a, Map<String, Service> b) {
        for (var e : a.entrySet()) {
            Service other = b.get(e.getKey());
            if (!e.getValue().equals(other)) {
                return e.getValue() + " against " + other;
            }
        }
        for (String name : b.keySet()) {
            if (!a.containsKey(name)) {
                return name + " only in the second";
            }
        }
        return "?";
    }
}
