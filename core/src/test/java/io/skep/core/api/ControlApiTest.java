package io.skep.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.api.model.Json;
import io.skep.core.testing.Await;
import io.skep.core.testing.TestDaemon;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control API of a real node (Raft store, reconcilers, agent, process runtime) over real HTTP.
 */
class ControlApiTest {
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private TestDaemon node;

    @AfterEach
    void removeServices() throws Exception {
        if (node == null) {
            return;
        }
        List<Long> pids = new ArrayList<>();
        for (JsonNode s : node.get("/services")) {
            pids.addAll(pids(s.path("Spec").path("Name").asText()));
            node.call("DELETE", "/services/" + s.path("ID").asText(), null);
        }
        Await.until(CONVERGE, "every task process to end", () -> pids.stream().noneMatch(ControlApiTest::alive));
        node.close();
    }

    static ObjectNode spec(String name, String... args) {
        ObjectNode spec = Json.MAPPER.createObjectNode().put("Name", name);
        ObjectNode task = spec.putObject("TaskTemplate");
        ObjectNode c = task.putObject("ContainerSpec").put("Image", "host");
        for (String a : args) {
            c.withArray("Args").add(a);
        }
        task.putObject("RestartPolicy").put("Delay", 0);
        return spec;
    }

    static ObjectNode replicated(ObjectNode spec, int replicas) {
        spec.putObject("Mode").putObject("Replicated").put("Replicas", replicas);
        return spec;
    }

    /** PIDs of the service's running tasks. */
    List<Long> pids(String service) throws Exception {
        List<Long> out = new ArrayList<>();
        for (JsonNode t : node.get("/tasks?filters=" + enc("{\"service\":{\"" + service + "\":true}}"))) {
            if (t.path("Status").path("State").asText().equals("running")
                    && t.path("DesiredState").asText().equals("running")) {
                out.add(t.path("Status").path("ContainerStatus").path("PID").asLong());
            }
        }
        return out;
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    void awaitRunning(String service, int count) throws Exception {
        try {
            Await.until(CONVERGE, count + " running tasks of " + service, () -> {
                List<Long> p = pids(service);
                return p.size() == count && p.stream().allMatch(ControlApiTest::alive);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; tasks: " + node.get("/tasks"), e);
        }
    }

    private void start() throws Exception {
        node = new TestDaemon(dir.resolve("node"));
        node.init();
    }

    @Test
    void aNodeOutsideASwarmSaysSo() throws Exception {
        node = new TestDaemon(dir.resolve("node"));
        TestDaemon.Response r = node.call("GET", "/v1.41/services", null);
        assertEquals(503, r.status());
        assertTrue(r.message().contains("not a swarm manager"), r.message());
        assertEquals(
                "inactive",
                node.get("/info").path("Swarm").path("LocalNodeState").asText());
        refused(
                "/swarm/init",
                "{\"Spec\": {\"Orchestration\": {\"TaskHistoryRetentionLimit\": -1}}}",
                "invalid Spec.Orchestration.TaskHistoryRetentionLimit: must be 0 or more, got -1");
        refused("/swarm/init", "{\"AdvertiseAddr\": 5}", "invalid AdvertiseAddr: expected a string, got 5");
        refused("/swarm/init", "{\"AdvertiseAddr\": \"not an address\"}", "invalid AdvertiseAddr");
        refused("/swarm/init", "[]", "invalid swarm init request: expected a JSON object");
        assertEquals(
                "inactive",
                node.get("/info").path("Swarm").path("LocalNodeState").asText());
        node.init();
        assertEquals(
                "active", node.get("/info").path("Swarm").path("LocalNodeState").asText());
        assertEquals(503, node.post("/swarm/init", "{}").status(), "a second init is refused");
    }

    /** The endpoint's port of {@code target}, as {@code service inspect} shows it, once the managers set it. */
    private long published(String service, long target) throws Exception {
        long[] port = {0};
        Await.until(CONVERGE, "a published port for " + service + ":" + target, () -> {
            for (JsonNode p : node.get("/services/" + service).path("Endpoint").path("Ports")) {
                if (p.path("TargetPort").asLong() == target) {
                    port[0] = p.path("PublishedPort").asLong();
                }
            }
            return port[0] != 0;
        });
        return port[0];
    }

    private static ObjectNode publishing(ObjectNode spec, String mode, long target, long published) {
        ObjectNode p = Json.MAPPER.createObjectNode().put("TargetPort", target).put("PublishedPort", published);
        if (mode != null) {
            p.put("PublishMode", mode);
        }
        spec.withObject("EndpointSpec").withArray("Ports").add(p);
        return spec;
    }

    @Test
    void publishedPortsArePickedFromTheDynamicRangeShownAndRefusedToAnotherService() throws Exception {
        start();
        assertEquals(
                201,
                node.post("/services/create", publishing(spec("web", "sleep", "600"), null, 80, 0))
                        .status());
        long picked = published("web", 80);
        assertTrue(picked >= 30000 && picked <= 32767, "picked " + picked);
        JsonNode endpoint = node.get("/services/web").path("Endpoint");
        assertEquals(
                "ingress", endpoint.path("Ports").get(0).path("PublishMode").asText());
        assertEquals("tcp", endpoint.path("Ports").get(0).path("Protocol").asText());
        assertEquals("vip", endpoint.path("Spec").path("Mode").asText());

        assertEquals(
                201,
                node.post("/services/create", publishing(spec("api", "sleep", "600"), "ingress", 8080, 18080))
                        .status());
        String apiId = node.get("/services/api").path("ID").asText();
        TestDaemon.Response taken =
                node.post("/services/create", publishing(spec("api2", "sleep", "600"), "host", 8080, 18080));
        assertEquals(400, taken.status());
        assertEquals(
                "port '18080' is already in use by service 'api' (" + apiId + ") as an ingress port", taken.message());
        TestDaemon.Response dynamic =
                node.post("/services/create", publishing(spec("api3", "sleep", "600"), "ingress", 8080, picked));
        assertEquals(400, dynamic.status(), "a port the managers picked is the service's too");
        assertTrue(dynamic.message().contains("by service 'web'"), dynamic.message());

        assertEquals(
                201,
                node.post("/services/create", publishing(spec("h1", "sleep", "600"), "host", 22, 2222))
                        .status());
        assertEquals(
                201,
                node.post("/services/create", publishing(spec("h2", "sleep", "600"), "host", 22, 2222))
                        .status(),
                "services may share a host-mode port: the scheduler keeps their tasks apart");
        TestDaemon.Response mesh =
                node.post("/services/create", publishing(spec("m", "sleep", "600"), "ingress", 22, 2222));
        assertEquals(400, mesh.status());
        assertTrue(mesh.message().endsWith("as a host-published port"), mesh.message());
    }

    @Test
    void badInputIsA4xxThatNamesTheFieldAndTheNodeKeepsServing() throws Exception {
        start();
        TestDaemon.Response r = node.post("/services/create", "{\"Name\": \"x\", ");
        assertEquals(400, r.status());
        assertTrue(r.message().contains("invalid JSON"), r.message());

        r = node.post("/services/create", replicated(spec("neg", "sleep", "1"), -1));
        assertEquals(400, r.status());
        assertTrue(r.message().contains("Mode.Replicated.Replicas"), r.message());

        ObjectNode typo = spec("typo", "sleep", "1");
        typo.putObject("Mode").putObject("Replicated").put("Replicas", "three");
        r = node.post("/services/create", typo);
        assertEquals(400, r.status());
        assertTrue(r.message().contains("Mode.Replicated.Replicas"), r.message());

        ObjectNode unknownRuntime = spec("rt", "sleep", "1");
        unknownRuntime.putObject("Labels").put("io.skep.runtime", "kata");
        r = node.post("/services/create", unknownRuntime);
        assertEquals(400, r.status());
        assertTrue(
                r.message().contains("Labels[io.skep.runtime]") && r.message().contains("\"kata\" is not installed"),
                r.message());

        ObjectNode reserve = spec("res", "sleep", "1");
        ((ObjectNode) reserve.path("TaskTemplate"))
                .putObject("Resources")
                .putObject("Reservations")
                .put("MemoryBytes", -5);
        r = node.post("/services/create", reserve);
        assertEquals(400, r.status());
        assertTrue(r.message().contains("TaskTemplate.Resources.Reservations.MemoryBytes"), r.message());

        ObjectNode globalCap = spec("cap", "sleep", "1");
        globalCap.putObject("Mode").putObject("Global");
        ((ObjectNode) globalCap.path("TaskTemplate")).putObject("Placement").put("MaxReplicas", 2);
        r = node.post("/services/create", globalCap);
        assertEquals(400, r.status());
        assertTrue(r.message().contains("TaskTemplate.Placement.MaxReplicas"), r.message());

        ObjectNode image = spec("img", "sleep", "1");
        ((ObjectNode) image.path("TaskTemplate").path("ContainerSpec")).put("Image", "busybox:1");
        r = node.post("/services/create", image);
        assertEquals(400, r.status());
        assertTrue(r.message().contains("busybox:1"), r.message());

        r = node.call("GET", "/services/nope", null);
        assertEquals(404, r.status());
        assertEquals("service nope not found", r.message());

        assertEquals(
                201,
                node.post("/services/create", replicated(spec("w", "sleep", "1000"), 1))
                        .status());
        assertEquals(
                409,
                node.post("/services/create", replicated(spec("w", "sleep", "1000"), 1))
                        .status());
        long version = node.get("/services/w").path("Version").path("Index").asLong();
        assertEquals(
                200,
                node.post("/services/w/update?version=" + version, replicated(spec("w", "sleep", "1000"), 2))
                        .status());
        r = node.post("/services/w/update?version=" + version, replicated(spec("w", "sleep", "1000"), 3));
        assertEquals(409, r.status(), "a stale version is refused");
        assertTrue(r.message().contains("update out of sequence"), r.message());

        assertEquals(200, node.call("HEAD", "/_ping", null).status());
        assertEquals(
                2,
                node.get("/services/w")
                        .path("Spec")
                        .path("Mode")
                        .path("Replicated")
                        .path("Replicas")
                        .asInt());
    }

    /** A 400 whose message contains {@code expected}. */
    private void refused(String path, Object body, String expected) throws Exception {
        TestDaemon.Response r = node.post(path, body);
        assertEquals(400, r.status(), path + " " + body + ": " + r.message());
        assertTrue(r.message().contains(expected), r.message());
    }

    /** A valid spec of service {@code x} with {@code change} made to it. */
    private static ObjectNode with(java.util.function.Consumer<ObjectNode> change) {
        ObjectNode spec = replicated(spec("x", "sleep", "1000"), 1);
        change.accept(spec);
        return spec;
    }

    private static ObjectNode at(ObjectNode spec, String... path) {
        ObjectNode n = spec;
        for (String p : path) {
            n = n.has(p) ? (ObjectNode) n.get(p) : n.putObject(p);
        }
        return n;
    }

    @Test
    void whatOneRequestMayAskIsBoundedAndEveryFieldCheckedWith400sThatNameThem() throws Exception {
        start();
        refused(
                "/services/create",
                with(s -> at(s, "Mode", "Replicated").put("Replicas", 1_000_000_000)),
                "invalid Mode.Replicated.Replicas: at most 100000 replicas per service, got 1000000000");
        refused(
                "/services/create",
                with(s -> at(s, "UpdateConfig").put("MaxFailureRatio", 2)),
                "invalid UpdateConfig.MaxFailureRatio: cannot be less than 0 or bigger than 1, got 2.0");
        refused(
                "/services/create",
                with(s -> at(s, "UpdateConfig").put("FailureAction", "explode")),
                "invalid UpdateConfig.FailureAction \"explode\": expected continue, pause, rollback");
        refused(
                "/services/create",
                with(s -> at(s, "RollbackConfig").put("FailureAction", "rollback")),
                "invalid RollbackConfig.FailureAction \"rollback\": expected continue, pause");
        refused(
                "/services/create",
                with(s -> at(s, "RollbackConfig").put("Order", "sideways")),
                "invalid RollbackConfig.Order \"sideways\"");
        refused(
                "/services/create",
                with(s -> at(s, "UpdateConfig").put("Delay", -1)),
                "invalid UpdateConfig.Delay: must be 0 or more, got -1");
        refused(
                "/services/create",
                with(s -> at(s, "EndpointSpec").putArray("Ports").addObject().put("TargetPort", 70000)),
                "invalid EndpointSpec.Ports[0].TargetPort: at most 65535, got 70000");
        refused(
                "/services/create",
                with(s -> {
                    at(s, "EndpointSpec")
                            .put("Mode", "dnsrr")
                            .putArray("Ports")
                            .addObject()
                            .put("TargetPort", 80)
                            .put("PublishedPort", 8080);
                }),
                "port published with ingress mode can't be used with dnsrr mode");
        refused(
                "/services/create",
                with(s -> {
                    var ports = at(s, "EndpointSpec").putArray("Ports");
                    ports.addObject().put("TargetPort", 80).put("PublishedPort", 8080);
                    ports.addObject().put("TargetPort", 81).put("PublishedPort", 8080);
                }),
                "duplicate published ports provided");
        refused(
                "/services/create",
                with(s -> {
                    var env = at(s, "TaskTemplate", "ContainerSpec").putArray("Env");
                    for (int i = 0; i <= 1000; i++) {
                        env.add("V" + i + "=1");
                    }
                }),
                "invalid TaskTemplate.ContainerSpec.Env: at most 1000 entries, got 1001");
        refused(
                "/services/create",
                with(s -> at(s, "TaskTemplate", "ContainerSpec").put("Hostname", "h".repeat(5000))),
                "invalid TaskTemplate.ContainerSpec.Hostname: at most 4096 characters, got 5000");
        refused(
                "/services/create",
                with(s -> at(s, "Labels").putNull("a")),
                "invalid Labels[a]: a label's value is a string (empty for none), got null");
        refused("/services/create", with(s -> at(s, "Labels").putObject("a")), "Labels");
        refused(
                "/services/create",
                with(s -> at(s, "TaskTemplate", "Resources", "Limits").put("MemoryBytes", 100)),
                "invalid TaskTemplate.Resources.Limits.MemoryBytes: invalid memory value 100: Must be at least 4MiB");
        refused(
                "/services/create",
                with(s -> at(s, "TaskTemplate", "Resources", "Reservations").put("NanoCPUs", 5)),
                "invalid TaskTemplate.Resources.Reservations.NanoCPUs: invalid cpu value");
        refused(
                "/services/create",
                with(s -> at(s, "TaskTemplate", "ContainerSpec").put("Image", "host bad")),
                "invalid TaskTemplate.ContainerSpec.Image: \"host bad\" is not a valid repository/tag");
        refused(
                "/services/create",
                with(s -> at(s, "TaskTemplate", "Placement")
                        .putArray("Preferences")
                        .addObject()),
                "invalid TaskTemplate.Placement.Preferences[0].Spread.SpreadDescriptor");
        refused("/services/create", with(s -> s.put("TaskTemplate", "a string")), "TaskTemplate");
        refused("/services/create", "null", "invalid ServiceSpec: expected a JSON value, got null");
        refused(
                "/services/create",
                with(s -> {
                    ObjectNode labels = at(s, "Labels");
                    for (int i = 0; i < 10; i++) {
                        labels.put("big" + i, "v".repeat(60_000));
                    }
                }),
                "invalid ServiceSpec: at most 512 KiB of JSON per service, got ");

        long version = node.get("/swarm").path("Version").path("Index").asLong();
        ObjectNode swarm = (ObjectNode) node.get("/swarm").path("Spec");
        refused(
                "/swarm/update?version=" + version,
                swarm.deepCopy()
                        .set("Orchestration", Json.MAPPER.createObjectNode().put("TaskHistoryRetentionLimit", -1)),
                "invalid Orchestration.TaskHistoryRetentionLimit: must be 0 or more, got -1");
        refused(
                "/swarm/update?version=" + version,
                swarm.deepCopy()
                        .set("Orchestration", Json.MAPPER.createObjectNode().put("TaskHistoryRetentionLimit", 1000)),
                "invalid Orchestration.TaskHistoryRetentionLimit: at most 100, got 1000");
        refused(
                "/swarm/update?version=" + version,
                swarm.deepCopy().put("Dispatcher", "fast"),
                "invalid Dispatcher: expected an object, got \"fast\"");
        ObjectNode objectLabel = swarm.deepCopy();
        objectLabel.putObject("Labels").putObject("a").put("b", 1);
        refused("/swarm/update?version=" + version, objectLabel, "invalid Labels[a]: expected a string");
        refused("/swarm/update?version=" + version, "null", "invalid swarm spec: expected a JSON value, got null");
        ObjectNode autolock = swarm.deepCopy();
        autolock.putObject("EncryptionConfig").put("AutoLockManagers", "yes");
        refused(
                "/swarm/update?version=" + version,
                autolock,
                "invalid EncryptionConfig.AutoLockManagers: expected true or false");
        assertEquals(
                5,
                node.get("/swarm")
                        .path("Spec")
                        .path("Orchestration")
                        .path("TaskHistoryRetentionLimit")
                        .asInt(),
                "nothing was written");

        JsonNode self = node.get("/nodes").get(0);
        String nodeUpdate = "/nodes/" + self.path("ID").asText() + "/update?version="
                + self.path("Version").path("Index").asLong();
        ObjectNode nodeSpec = (ObjectNode) self.path("Spec").deepCopy();
        ObjectNode many = nodeSpec.putObject("Labels");
        for (int i = 0; i <= 1000; i++) {
            many.put("l" + i, "");
        }
        refused(nodeUpdate, nodeSpec, "invalid Labels: at most 1000 entries, got 1001");
        refused(
                "/nodes/" + self.path("ID").asText() + "/update?version=abc",
                self.path("Spec"),
                "invalid node version \"abc\": expected a number");

        assertTrue(node.get("/services").isEmpty(), "nothing was created");
        assertEquals(201, node.post("/services/create", with(s -> {})).status(), "a valid spec still goes through");
    }

    @Test
    void replicatedServiceRestartsScalesAndIsRemoved() throws Exception {
        start();
        String id = node.post("/v1.41/services/create", replicated(spec("w", "sleep", "1000"), 3))
                .body()
                .path("ID")
                .asText();
        awaitRunning("w", 3);
        JsonNode listed = node.get("/services?status=true").get(0);
        assertEquals(id, listed.path("ID").asText());
        assertEquals(3, listed.path("ServiceStatus").path("RunningTasks").asInt());

        long victim = pids("w").get(0);
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        Await.until(CONVERGE, "a replacement for the killed task", () -> {
            List<Long> p = pids("w");
            return p.size() == 3 && !p.contains(victim);
        });
        JsonNode failed = node.get("/tasks?filters=" + enc("{\"desired-state\":{\"shutdown\":true}}"));
        assertEquals("failed", failed.get(0).path("Status").path("State").asText());

        scale("w", 5);
        awaitRunning("w", 5);
        List<Long> before = pids("w");
        scale("w", 1);
        awaitRunning("w", 1);
        Await.until(
                CONVERGE,
                "the scaled-down processes to end",
                () -> before.stream().filter(ControlApiTest::alive).count() == 1);

        List<Long> last = pids("w");
        assertEquals(
                200,
                node.call("DELETE", "/services/" + id.substring(0, 6), null).status(),
                "an ID prefix names it");
        Await.until(CONVERGE, "no process left", () -> last.stream().noneMatch(ControlApiTest::alive));
        Await.until(
                CONVERGE, "the tasks to be removed", () -> node.get("/tasks").isEmpty());
    }

    @Test
    void aGlobalServiceRunsOneTaskOnTheNode() throws Exception {
        start();
        ObjectNode spec = spec("g", "sleep", "1000");
        spec.putObject("Mode").putObject("Global");
        assertEquals(201, node.post("/services/create", spec).status());
        awaitRunning("g", 1);
        JsonNode tasks = node.get("/tasks");
        assertEquals(1, tasks.size());
        assertEquals(0, tasks.get(0).path("Slot").asInt());
        assertFalse(tasks.get(0).path("NodeID").asText().isEmpty());
        assertEquals(
                1,
                node.get("/services?status=true")
                        .get(0)
                        .path("ServiceStatus")
                        .path("DesiredTasks")
                        .asInt());
    }

    @Test
    void restartConditionNoneLeavesAFinishedTaskAlone() throws Exception {
        start();
        ObjectNode spec = replicated(spec("once", "true"), 1);
        ((ObjectNode) spec.path("TaskTemplate").path("RestartPolicy")).put("Condition", "none");
        node.post("/services/create", spec);
        Await.until(CONVERGE, "the task to complete", () -> {
            JsonNode t = node.get("/tasks");
            return t.size() == 1
                    && t.get(0).path("Status").path("State").asText().equals("complete");
        });
        // A further pass of every loop (triggered by another service) must not refill the slot.
        node.post("/services/create", replicated(spec("other", "sleep", "1000"), 1));
        awaitRunning("other", 1);
        assertEquals(
                1,
                node.get("/tasks?filters=" + enc("{\"service\":{\"once\":true}}"))
                        .size());
    }

    @Test
    void taskHistoryIsTrimmedToTheRetentionLimit() throws Exception {
        start();
        node.post("/services/create", replicated(spec("crash", "false"), 1));
        java.util.Set<String> seen = new java.util.HashSet<>();
        Await.until(CONVERGE, "eight tasks made for the failing slot", () -> {
            node.get("/tasks").forEach(t -> seen.add(t.path("ID").asText()));
            return seen.size() >= 8;
        });
        // The reaper keeps the 5 newest tasks of the slot (plus, briefly, the replacement being made).
        Await.until(CONVERGE, "the history trimmed", () -> node.get("/tasks").size() <= 6);
        assertTrue(seen.size() > node.get("/tasks").size(), "older tasks were deleted");
    }

    @Test
    void upToDateFilterHidesTasksOfAnOlderSpec() throws Exception {
        start();
        node.post("/services/create", replicated(spec("u", "sleep", "1000"), 2));
        awaitRunning("u", 2);
        long version = node.get("/services/u").path("Version").path("Index").asLong();
        ObjectNode next = replicated(spec("u", "sleep", "1001"), 2);
        assertEquals(
                200, node.post("/services/u/update?version=" + version, next).status());
        Await.until(
                CONVERGE,
                "the update to complete",
                () -> "completed"
                        .equals(node.get("/services/u")
                                .path("UpdateStatus")
                                .path("State")
                                .asText()));
        JsonNode upToDate =
                node.get("/tasks?filters=" + enc("{\"_up-to-date\":{\"true\":true},\"service\":{\"u\":true}}"));
        assertEquals(2, upToDate.size());
        upToDate.forEach(t -> assertEquals(
                "1001", t.path("Spec").path("ContainerSpec").path("Args").get(1).asText()));
        assertEquals(4, node.get("/tasks").size(), "the old tasks stay as history");
        assertTrue(node.get("/services/u").has("PreviousSpec"));
    }

    @Test
    void anUpdateStopsTheOldTaskBeforeItStartsTheNewOne() throws Exception {
        start();
        String slow = "trap 'sleep 1.5; exit 0' TERM; while :; do sleep 0.1; done"; // takes 1.5 s to stop
        node.post("/services/create", replicated(spec("sf", "sh", "-c", slow), 1));
        awaitRunning("sf", 1);
        long version = node.get("/services/sf").path("Version").path("Index").asLong();
        ObjectNode next = replicated(spec("sf", "sh", "-c", slow), 1);
        ((ObjectNode) next.path("TaskTemplate").path("ContainerSpec"))
                .putArray("Env")
                .add("V=2");
        assertEquals(
                200, node.post("/services/sf/update?version=" + version, next).status());
        int mostRunning = 0;
        boolean replaced = false;
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!replaced && System.nanoTime() < deadline) {
            JsonNode tasks = node.get("/tasks");
            int running = 0;
            for (JsonNode t : tasks) {
                running += t.path("Status").path("State").asText().equals("running") ? 1 : 0;
            }
            mostRunning = Math.max(mostRunning, running);
            boolean newRuns = false;
            for (JsonNode t : tasks) {
                newRuns |= t.path("Spec").path("ContainerSpec").has("Env")
                        && t.path("Status").path("State").asText().equals("running");
            }
            replaced = newRuns && running == 1;
            Thread.sleep(20); // polling interval; the old task takes 1.5 s to stop
        }
        assertTrue(replaced, "the updated task runs");
        assertEquals(1, mostRunning, "stop-first: the old task stopped before the new one started");
    }

    @Test
    void aRestartedNodeAdoptsItsTasksInsteadOfRunningThemTwice() throws Exception {
        start();
        node.post("/services/create", replicated(spec("keep", "sleep", "1000"), 2));
        awaitRunning("keep", 2);
        List<Long> before = pids("keep");
        node.stop();
        node.start();
        awaitRunning("keep", 2);
        assertEquals(
                before.stream().sorted().toList(),
                pids("keep").stream().sorted().toList(),
                "the same processes");
        assertEquals(2, node.get("/tasks").size(), "no task was started again");
    }

    private void scale(String service, int replicas) throws Exception {
        JsonNode s = node.get("/services/" + service);
        ObjectNode spec = (ObjectNode) s.path("Spec");
        ((ObjectNode) spec.path("Mode").path("Replicated")).put("Replicas", replicas);
        TestDaemon.Response r = node.post(
                "/services/" + s.path("ID").asText() + "/update?version="
                        + s.path("Version").path("Index").asLong(),
                spec);
        assertEquals(200, r.status(), r.message());
    }
}
