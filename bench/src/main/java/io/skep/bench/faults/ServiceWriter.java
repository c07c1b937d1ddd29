package io.skep.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.bench.faults.History.Kind;
import io.skep.bench.faults.History.Observation;
import io.skep.bench.faults.History.Outcome;
import io.skep.bench.faults.History.Write;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two writes of the harness, each sent once through one manager and recorded in the {@link History} with what
 * became of it: a version-checked update (read the service, then set its label to a new value from the version
 * read) and a create. Every read's state is recorded too.
 */
final class ServiceWriter {
    /** The tasks' command: host processes of the process runtime, alive until the harness kills them. */
    static final List<String> TASK_COMMAND = List.of("sleep", "100000");

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final History history;
    private final Duration timeout;

    /** @param timeout how long a write may take before it counts as indeterminate */
    ServiceWriter(History history, Duration timeout) {
        this.history = history;
        this.timeout = timeout;
    }

    History history() {
        return history;
    }

    /** A replicated service of {@code replicas} host processes, its label at {@link History#INITIAL}. */
    static Map<String, Object> spec(String name, int replicas) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("Name", name);
        spec.put("Labels", Map.of(History.LABEL, History.INITIAL));
        spec.put("Mode", Map.of("Replicated", Map.of("Replicas", replicas)));
        spec.put("TaskTemplate", Map.of("ContainerSpec", Map.of("Image", "host", "Command", TASK_COMMAND)));
        return spec;
    }

    /** The state a service's JSON shows. */
    static Observation observe(JsonNode service, String via) {
        JsonNode previous = service.path("PreviousSpec").path("Labels").path(History.LABEL);
        return new Observation(
                service.path("Spec").path("Name").asText(),
                service.path("Version").path("Index").asLong(),
                service.path("Spec").path("Labels").path(History.LABEL).asText(null),
                previous.isTextual() ? previous.asText() : null,
                via);
    }

    /**
     * Reads {@code service} through {@code via}, then sets its label to {@code value} with {@code ?version=} of
     * the state read.
     *
     * @return the write, or null when the read failed (nothing was written)
     */
    Write update(ManagerProcess via, String service, String value) {
        JsonNode current;
        try {
            UnixHttpClient.Response r = via.call("GET", "/services/" + service, null, READ_TIMEOUT);
            if (!r.ok()) {
                return null;
            }
            current = r.json();
        } catch (IOException e) {
            return null;
        }
        Observation read = observe(current, via.name());
        history.add(read);
        ObjectNode spec = current.path("Spec").deepCopy();
        spec.withObject("Labels").put(History.LABEL, value);
        return send(
                Kind.UPDATE,
                via,
                service,
                read.version(),
                read.value(),
                value,
                "/services/" + current.path("ID").asText() + "/update?version=" + read.version(),
                spec);
    }

    /** Creates the service {@code name} of {@code replicas} tasks through {@code via}. */
    Write create(ManagerProcess via, String name, int replicas) {
        return send(Kind.CREATE, via, name, -1, null, name, "/services/create", spec(name, replicas));
    }

    private Write send(
            Kind kind,
            ManagerProcess via,
            String service,
            long readVersion,
            String readValue,
            String value,
            String path,
            Object body) {
        long invoked = System.nanoTime();
        Outcome outcome;
        String detail;
        try {
            UnixHttpClient.Response r = via.call("POST", path, body, timeout);
            outcome = Outcome.of(r.status(), r.message());
            detail = r.status() + (r.ok() ? "" : " " + r.message());
        } catch (IOException e) {
            outcome = Outcome.INDETERMINATE;
            detail = e.toString();
        }
        Write w = new Write(
                history.nextId(),
                kind,
                service,
                via.name(),
                readVersion,
                readValue,
                value,
                invoked,
                System.nanoTime(),
                outcome,
                detail);
        history.add(w);
        return w;
    }
}
