package io.skep.bench.scale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.skep.api.model.TaskState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The light agents' end of the dispatcher's JSON (the bodies of {@code io.skep.core.cluster.ClusterWire} and
 * {@code AssignmentMailbox.Assignments}, Docker's upper camel case): read with Jackson's streaming parser, taking
 * only what an agent acts on (a task's ID and desired state) and skipping the rest of each task unbound, so that
 * a thousand agents reading their whole task set at every change stay cheap.
 */
final class Wire {
    private static final JsonFactory JSON = new JsonFactory();

    private Wire() {}

    /** One task of a node's assignments, as far as an agent that starts tasks instantly needs it. */
    record Assigned(String id, TaskState desired) {}

    /**
     * {@code GET /dispatcher/sessions/{id}/assignments}: the task set and its sequence number, and the views of its
     * networks, whole or as changes (null when the set carries neither).
     */
    record Fetched(long sequence, List<Assigned> tasks, Views views) {}

    /**
     * The views of a fetched set, as far as the fan-out phase counts them (IDs only): whole ({@link #WHOLE} as base),
     * or the changes from the set numbered {@code base} ({@code AssignmentMailbox.Assignments} and
     * {@code ViewChanges}).
     */
    record Views(long base, List<NetworkIds> networks, List<String> networksGone) {
        static final long WHOLE = -1;
    }

    /** A network's view or its change: peers (task IDs) and services new or changed, and those gone. */
    record NetworkIds(
            String networkId,
            List<String> peers,
            List<String> peersGone,
            List<ServiceIds> services,
            List<String> servicesGone) {}

    /** A service's running tasks (task IDs), new or changed, and those gone. */
    record ServiceIds(String serviceId, List<String> tasks, List<String> tasksGone) {}

    /** {@code POST /dispatcher/sessions}: the session and the heartbeat period (ms). */
    record Opened(String sessionId, long heartbeatMillis) {}

    static Fetched fetched(InputStream in) throws IOException {
        long sequence = 0;
        List<Assigned> tasks = new ArrayList<>();
        List<NetworkIds> whole = List.of();
        Views changes = null;
        try (JsonParser p = JSON.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("Sequence")) {
                    sequence = p.getLongValue();
                } else if (field.equals("Tasks") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        tasks.add(task(p));
                    }
                } else if (field.equals("Networks") && value == JsonToken.START_ARRAY) {
                    whole = networks(p);
                } else if (field.equals("Changes") && value == JsonToken.START_OBJECT) {
                    changes = changes(p);
                } else {
                    p.skipChildren();
                }
            }
        }
        return new Fetched(sequence, tasks, changes != null ? changes : new Views(Views.WHOLE, whole, List.of()));
    }

    /** {@code ViewChanges}, the parser on its START_OBJECT. */
    private static Views changes(JsonParser p) throws IOException {
        long base = 0;
        List<NetworkIds> networks = List.of();
        List<String> gone = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "Base" -> base = p.getLongValue();
                case "Networks" -> networks = value == JsonToken.START_ARRAY ? networks(p) : List.of();
                case "NetworksGone" -> gone = strings(p);
                default -> p.skipChildren();
            }
        }
        return new Views(base, networks, gone);
    }

    /** An array of network views or changes, the parser on its START_ARRAY. */
    private static List<NetworkIds> networks(JsonParser p) throws IOException {
        List<NetworkIds> networks = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String id = null;
            List<String> peers = List.of();
            List<String> peersGone = List.of();
            List<ServiceIds> services = new ArrayList<>();
            List<String> servicesGone = List.of();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "NetworkId" -> id = p.getText();
                    case "Peers" -> peers = taskIds(p);
                    case "PeersGone" -> peersGone = strings(p);
                    case "Services" -> {
                        while (value == JsonToken.START_ARRAY && p.nextToken() == JsonToken.START_OBJECT) {
                            services.add(service(p));
                        }
                    }
                    case "ServicesGone" -> servicesGone = strings(p);
                    default -> p.skipChildren();
                }
            }
            networks.add(new NetworkIds(id, peers, peersGone, services, servicesGone));
        }
        return networks;
    }

    private static ServiceIds service(JsonParser p) throws IOException {
        String id = null;
        List<String> tasks = List.of();
        List<String> gone = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "ServiceId" -> id = p.getText();
                case "Tasks" -> tasks = taskIds(p);
                case "TasksGone" -> gone = strings(p);
                default -> p.skipChildren();
            }
        }
        return new ServiceIds(id, tasks, gone);
    }

    /** The {@code TaskId} of each object of an array, the parser on its START_ARRAY. */
    private static List<String> taskIds(JsonParser p) throws IOException {
        List<String> ids = new ArrayList<>();
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return ids;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("TaskId")) {
                    ids.add(p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }
        return ids;
    }

    /** An array of strings, the parser on its START_ARRAY. */
    private static List<String> strings(JsonParser p) throws IOException {
        List<String> values = new ArrayList<>();
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return values;
        }
        while (p.nextToken() == JsonToken.VALUE_STRING) {
            values.add(p.getText());
        }
        return values;
    }

    /** A task object, the parser on its START_OBJECT; leaves it on the matching END_OBJECT. */
    private static Assigned task(JsonParser p) throws IOException {
        String id = null;
        String desired = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "ID" -> id = p.getText();
                case "DesiredState" -> desired = p.getText();
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw new IOException("a task without an ID in the assignments");
        }
        return new Assigned(id, TaskState.fromWire(desired));
    }

    static Opened opened(InputStream in) throws IOException {
        String session = null;
        long period = 0;
        try (JsonParser p = JSON.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "SessionId" -> session = p.getText();
                    case "HeartbeatPeriod" -> period = p.getLongValue();
                    default -> p.skipChildren();
                }
            }
        }
        if (session == null) {
            throw new IOException("no SessionId in the manager's answer");
        }
        return new Opened(session, millis(period));
    }

    /** {@code POST /dispatcher/sessions/{id}/heartbeat}: the heartbeat period (ms) until the next one. */
    static long heartbeatMillis(InputStream in) throws IOException {
        long period = 0;
        try (JsonParser p = JSON.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("HeartbeatPeriod")) {
                    period = p.getLongValue();
                } else {
                    p.skipChildren();
                }
            }
        }
        return millis(period);
    }

    /** Nanoseconds on the wire; a manager that says nothing gets Swarm's 5 s. */
    private static long millis(long nanos) {
        return nanos <= 0 ? 5_000 : Math.max(1, nanos / 1_000_000);
    }

    /**
     * {@code POST /dispatcher/sessions/{id}/status}: each task's latest state, as the real agent reports it (a
     * running task with its container's ID, a runtime's handle).
     */
    static byte[] statusBatch(Iterable<Map.Entry<String, TaskState>> states, String timestamp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (Map.Entry<String, TaskState> e : states) {
                g.writeStartObject();
                g.writeStringField("TaskId", e.getKey());
                g.writeObjectFieldStart("Status");
                g.writeStringField("Timestamp", timestamp);
                g.writeStringField("State", e.getValue().wire());
                g.writeStringField("Message", message(e.getValue()));
                if (e.getValue() == TaskState.RUNNING) {
                    g.writeObjectFieldStart("ContainerStatus");
                    g.writeStringField("ContainerID", "sim-" + e.getKey());
                    g.writeEndObject();
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The real agent's messages (TaskController). */
    private static String message(TaskState state) {
        return switch (state) {
            case RUNNING -> "started";
            case READY -> "prepared";
            default -> state.wire();
        };
    }

    /**
     * What an agent whose runtime starts tasks at once reports for a task it holds in {@code reported} (null: new to
     * it) when the managers want {@code desired}; null when it has nothing new to say. As the real agent: a wanted
     * task goes to running (or stops at ready, when that is what is wanted); a task the managers want stopped is shut
     * down; states never go backwards.
     */
    static TaskState next(TaskState reported, TaskState desired) {
        TaskState target;
        if (desired == null || desired == TaskState.RUNNING) {
            target = TaskState.RUNNING;
        } else if (desired.compareTo(TaskState.RUNNING) < 0) {
            target = TaskState.READY;
        } else {
            target = TaskState.SHUTDOWN;
        }
        if (reported != null && (reported.isTerminal() || !target.isAfter(reported))) {
            return null;
        }
        return target;
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + ", got " + actual);
        }
    }
}
