package io.skep.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.core.model.Json;
import io.skep.core.testing.Await;
import io.skep.core.testing.TestDaemon;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            if (t.path("Status").path("State").asText().equals("running") && t.path("DesiredState").asText().equals("running")) {
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
        assertEquals("inactive", node.get("/info").path("Swarm").path("LocalNodeState").asText());
        node.init();
        assertEquals("active", node.get("/info").path("Swarm").path("LocalNodeState").asText());
        assertEquals(503, node.post("/swarm/init", "{}").status(), "a second init is refused");
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
        assertTrue(r.message().contains("Labels[io.skep.runtime]") && r.message().contains("\"kata\" is not installed"), r.message());

        ObjectNode reserve = spec("res", "sleep", "1");
        ((ObjectNode) reserve.path("TaskTemplate")).putObject("Resources").putObject("Reservations")
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

        assertEquals(201, node.post("/services/create", replicated(spec("w", "sleep", "1000"), 1)).status());
        assertEquals(409, node.post("/services/create", replicated(spec("w", "sleep", "1000"), 1)).status());
        long version = node.get("/services/w").path("Version").path("Index").asLong();
        assertEquals(200, node.post("/services/w/update?version=" + version, replicated(spec("w", "sleep", "1000"), 2)).status());
        r = node.post("/services/w/update?version=" + version, replicated(spec("w", "sleep", "1000"), 3));
        assertEquals(409, r.status(), "a stale version is refused");
        assertTrue(r.message().contains("update out of sequence"), r.message());

        assertEquals(200, node.call("HEAD", "/_ping", null).status());
        assertEquals(2, node.get("/services/w").path("Spec").path("Mode").path("Replicated").path("Replicas").asInt());
    }

    @Test
    void replicatedServiceRestartsScalesAndIsRemoved() throws Exception {
        start();
        String id = node.post("/v1.41/services/create", replicated(spec("w", "sleep", "1000"), 3)).body().path("ID").asText();
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
        Await.until(CONVERGE, "the scaled-down processes to end",
                () -> before.stream().filter(ControlApiTest::alive).count() == 1);

        List<Long> last = pids("w");
        assertEquals(200, node.call("DELETE", "/services/" + id.substring(0, 6), null).status(), "an ID prefix names it");
        Await.until(CONVERGE, "no process left", () -> last.stream().noneMatch(ControlApiTest::alive));
        Await.until(CONVERGE, "the tasks to be removed", () -> node.get("/tasks").isEmpty());
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
        assertEquals(1, node.get("/services?status=true").get(0).path("ServiceStatus").path("DesiredTasks").asInt());
    }

    @Test
    void restartConditionNoneLeavesAFinishedTaskAlone() throws Exception {
        start();
        ObjectNode spec = replicated(spec("once", "true"), 1);
        ((ObjectNode) spec.path("TaskTemplate").path("RestartPolicy")).put("Condition", "none");
        node.post("/services/create", spec);
        Await.until(CONVERGE, "the task to complete", () -> {
            JsonNode t = node.get("/tasks");
            return t.size() == 1 && t.get(0).path("Status").path("State").asText().equals("complete");
        });
        // A further pass of every loop (triggered by another service) must not refill the slot.
        node.post("/services/create", replicated(spec("other", "sleep", "1000"), 1));
        awaitRunning("other", 1);
        assertEquals(1, node.get("/tasks?filters=" + enc("{\"service\":{\"once\":true}}")).size());
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
        assertEquals(200, node.post("/services/u/update?version=" + version, next).status());
        Await.until(CONVERGE, "the update to complete", () ->
                "completed".equals(node.get("/services/u").path("UpdateStatus").path("State").asText()));
        JsonNode upToDate = node.get("/tasks?filters=" + enc("{\"_up-to-date\":{\"true\":true},\"service\":{\"u\":true}}"));
        assertEquals(2, upToDate.size());
        upToDate.forEach(t -> assertEquals("1001", t.path("Spec").path("ContainerSpec").path("Args").get(1).asText()));
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
        ((ObjectNode) next.path("TaskTemplate").path("ContainerSpec")).putArray("Env").add("V=2");
        assertEquals(200, node.post("/services/sf/update?version=" + version, next).status());
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
                newRuns |= t.path("Spec").path("ContainerSpec").has("Env") && t.path("Status").path("State").asText().equals("running");
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
        assertEquals(before.stream().sorted().toList(), pids("keep").stream().sorted().toList(), "the same processes");
        assertEquals(2, node.get("/tasks").size(), "no task was started again");
    }

    private void scale(String service, int replicas) throws Exception {
        JsonNode s = node.get("/services/" + service);
        ObjectNode spec = (ObjectNode) s.path("Spec");
        ((ObjectNode) spec.path("Mode").path("Replicated")).put("Replicas", replicas);
        TestDaemon.Response r = node.post("/services/" + s.path("ID").asText() + "/update?version="
                + s.path("Version").path("Index").asLong(), spec);
        assertEquals(200, r.status(), r.message());
    }
}
