package io.skep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.cli.CannedDaemon.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code service create/update/scale/rm}: the requests they send and what they print. */
class ServiceChangeTest {

    @TempDir
    Path dir;

    private CannedDaemon daemon;

    @BeforeEach
    void start() {
        daemon = CannedDaemon.unix(dir.resolve("skep.sock"));
        daemon.on("POST /services/create", r -> Reply.json(201, "{\"ID\":\"6ccoyw7yo70c12dvli4ya1z1e\"}"));
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private JsonNode createBody() {
        return daemon.requests("POST", "/services/create").getFirst().json();
    }

    @Test
    void createSendsADockerServiceSpec() {
        Skep.Result r = Skep.run(
                daemon.host(),
                Map.of("BAZ", "from-env"),
                "service",
                "create",
                "-d",
                "--name",
                "web",
                "--replicas",
                "3",
                "-e",
                "FOO=bar",
                "--env",
                "BAZ",
                "-e",
                "FOO=again",
                "--label",
                "tier=front",
                "-l",
                "flag",
                "--restart-condition",
                "on-failure",
                "--restart-delay",
                "10s",
                "--restart-max-attempts",
                "3",
                "--restart-window",
                "1m30s",
                "--stop-grace-period",
                "500ms",
                "--stop-signal",
                "SIGINT",
                "--constraint",
                "node.role==manager",
                "--runtime",
                "process",
                "--update-monitor",
                "2s",
                "-w",
                "/srv",
                "-u",
                "app",
                "--hostname",
                "h1",
                "-p",
                "8080:80",
                "--publish",
                "published=53,target=5353,protocol=udp",
                "busybox:1",
                "sh",
                "-c",
                "echo hi; sleep 60");

        assertEquals(0, r.code(), r.err());
        assertEquals("6ccoyw7yo70c12dvli4ya1z1e\n", r.out());
        JsonNode spec = createBody();
        assertEquals("web", spec.path("Name").asText());
        assertEquals(
                CannedDaemon.parse("{\"tier\":\"front\",\"flag\":\"\",\"io.skep.runtime\":\"process\"}"),
                spec.path("Labels"));
        JsonNode cs = spec.path("TaskTemplate").path("ContainerSpec");
        assertEquals("busybox:1", cs.path("Image").asText());
        assertEquals(CannedDaemon.parse("[\"sh\",\"-c\",\"echo hi; sleep 60\"]"), cs.path("Args"));
        assertTrue(cs.path("Command").isMissingNode(), "docker leaves Command empty");
        assertEquals(CannedDaemon.parse("[\"BAZ=from-env\",\"FOO=again\"]"), cs.path("Env"));
        assertEquals("/srv", cs.path("Dir").asText());
        assertEquals("app", cs.path("User").asText());
        assertEquals("h1", cs.path("Hostname").asText());
        assertEquals("SIGINT", cs.path("StopSignal").asText());
        assertEquals(500_000_000L, cs.path("StopGracePeriod").asLong());
        assertEquals(
                CannedDaemon.parse(
                        "{\"Condition\":\"on-failure\",\"Delay\":10000000000,\"MaxAttempts\":3,\"Window\":90000000000}"),
                spec.path("TaskTemplate").path("RestartPolicy"));
        assertEquals(
                CannedDaemon.parse("[\"node.role==manager\"]"),
                spec.path("TaskTemplate").path("Placement").path("Constraints"));
        assertEquals(3, spec.path("Mode").path("Replicated").path("Replicas").asInt());
        assertEquals(
                CannedDaemon.parse("{\"Parallelism\":1,\"FailureAction\":\"pause\",\"Monitor\":2000000000,"
                        + "\"MaxFailureRatio\":0,\"Order\":\"stop-first\"}"),
                spec.path("UpdateConfig"));
        assertEquals(
                CannedDaemon.parse(
                        "{\"Mode\":\"vip\",\"Ports\":["
                                + "{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishedPort\":8080,\"PublishMode\":\"ingress\"},"
                                + "{\"Protocol\":\"udp\",\"TargetPort\":5353,\"PublishedPort\":53,\"PublishMode\":\"ingress\"}]}"),
                spec.path("EndpointSpec"));
        assertEquals(List.of(), daemon.requests("GET", "/tasks"), "-d does not wait");
    }

    @Test
    void createWithDefaultsLeavesReplicasAndPoliciesToTheDaemon() {
        Skep.Result r = Skep.run(daemon, "service", "create", "--detach", "busybox", "ls", "-d", "--name", "x");

        assertEquals(0, r.code(), r.err());
        JsonNode spec = createBody();
        assertTrue(spec.path("Name").isMissingNode());
        assertEquals(CannedDaemon.parse("{\"Replicated\":{}}"), spec.path("Mode"));
        assertEquals(
                CannedDaemon.parse("[\"ls\",\"-d\",\"--name\",\"x\"]"),
                spec.path("TaskTemplate").path("ContainerSpec").path("Args"),
                "flags after IMAGE are arguments");
        assertTrue(spec.path("TaskTemplate").path("RestartPolicy").isMissingNode());
        assertTrue(spec.path("UpdateConfig").isMissingNode());
        assertEquals(0, spec.path("TaskTemplate").path("ForceUpdate").asInt());
        assertEquals(CannedDaemon.parse("{}"), spec.path("Labels"));
    }

    @Test
    void createSendsResourceLimitsAsDockerDoes() {
        Skep.Result r = Skep.run(
                daemon,
                "service",
                "create",
                "-d",
                "--limit-cpu",
                "0.5",
                "--limit-memory",
                "64M",
                "--limit-pids",
                "100",
                "busybox");
        assertEquals(0, r.code(), r.err());
        assertEquals(
                CannedDaemon.parse("{\"NanoCPUs\":500000000,\"MemoryBytes\":67108864,\"Pids\":100}"),
                createBody().path("TaskTemplate").path("Resources").path("Limits"));

        Skep.Result bad = Skep.run(daemon, "service", "create", "-d", "--limit-memory", "lots", "busybox");
        assertEquals(125, bad.code());
        assertTrue(bad.err().contains("--limit-memory"), bad.err());
    }

    @Test
    void reservationsAndReplicasPerNodeAsDockerSendsThem() {
        Skep.Result r = Skep.run(
                daemon,
                "service",
                "create",
                "-d",
                "--reserve-cpu",
                "1.5",
                "--reserve-memory",
                "1g",
                "--replicas-max-per-node",
                "2",
                "busybox");
        assertEquals(0, r.code(), r.err());
        assertEquals(
                CannedDaemon.parse(
                        "{\"Limits\":{},\"Reservations\":{\"NanoCPUs\":1500000000,\"MemoryBytes\":1073741824}}"),
                createBody().path("TaskTemplate").path("Resources"));
        assertEquals(
                2,
                createBody()
                        .path("TaskTemplate")
                        .path("Placement")
                        .path("MaxReplicas")
                        .asInt());

        Skep.Result global = Skep.run(
                daemon, "service", "create", "-d", "--mode", "global", "--replicas-max-per-node", "1", "busybox");
        assertEquals(1, global.code());
        assertEquals("replicas-max-per-node can only be used with replicated or replicated-job mode\n", global.err());

        daemon.on("GET /services/web", CURRENT);
        daemon.on("POST /services/{}/update", "{}");
        assertEquals(
                0,
                Skep.run(
                                daemon,
                                "service",
                                "update",
                                "-d",
                                "--reserve-memory",
                                "512m",
                                "--replicas-max-per-node",
                                "3",
                                "web")
                        .code());
        JsonNode task = daemon.requests("POST", "/services/svc1/update")
                .getFirst()
                .json()
                .path("TaskTemplate");
        assertEquals(
                512L << 20,
                task.path("Resources").path("Reservations").path("MemoryBytes").asLong());
        assertEquals(3, task.path("Placement").path("MaxReplicas").asInt());
        assertEquals(
                CannedDaemon.parse("[\"b==1\"]"),
                task.path("Placement").path("Constraints"),
                "the placement's other fields are kept");

        Skep.Result bad = Skep.run(daemon, "service", "create", "-d", "--reserve-cpu", "many", "busybox");
        assertEquals(125, bad.code());
        assertTrue(bad.err().contains("--reserve-cpu"), bad.err());
    }

    @Test
    void rebalancingIsALabelToKeepAndACallToMakeOnce() {
        assertEquals(
                0,
                Skep.run(daemon, "service", "create", "-d", "--auto-rebalance", "busybox")
                        .code());
        assertEquals(
                "auto", createBody().path("Labels").path("io.skep.rebalance").asText());

        daemon.on("GET /services/web", CURRENT);
        daemon.on("POST /services/{}/update", "{}");
        daemon.on("POST /services/{}/rebalance", r -> Reply.json(200, ""));
        Skep.Result once = Skep.run(daemon, "service", "update", "-d", "--rebalance", "web");
        assertEquals(0, once.code(), once.err());
        assertEquals(1, daemon.requests("POST", "/services/svc1/rebalance").size());
        assertEquals(
                0, daemon.requests("POST", "/services/svc1/update").size(), "no spec change for a rebalance alone");

        assertEquals(
                0,
                Skep.run(daemon, "service", "update", "-d", "--auto-rebalance=false", "--rebalance", "web")
                        .code());
        assertEquals(2, daemon.requests("POST", "/services/svc1/rebalance").size());
        JsonNode labels = daemon.requests("POST", "/services/svc1/update")
                .getFirst()
                .json()
                .path("Labels");
        assertTrue(labels.has("keep") && !labels.has("io.skep.rebalance"), labels.toString());
    }

    @Test
    void createGlobalAndBadFlags() {
        assertEquals(
                0,
                Skep.run(daemon, "service", "create", "-d", "--mode", "global", "busybox")
                        .code());
        assertEquals(CannedDaemon.parse("{\"Global\":{}}"), createBody().path("Mode"));

        Skep.Result both =
                Skep.run(daemon, "service", "create", "-d", "--mode", "global", "--replicas", "2", "busybox");
        assertEquals(1, both.code());
        assertEquals("replicas can only be used with replicated or replicated-job mode\n", both.err());

        Skep.Result badDuration = Skep.run(daemon, "service", "create", "--restart-delay", "10", "busybox");
        assertEquals(125, badDuration.code());
        assertTrue(
                badDuration
                        .err()
                        .startsWith("invalid argument \"10\" for \"--restart-delay\" flag: "
                                + "time: missing unit in duration \"10\""),
                badDuration.err());

        Skep.Result noImage = Skep.run(daemon, "service", "create", "-d");
        assertEquals(1, noImage.code());
        assertEquals("""
                skep: 'skep service create' requires at least 1 argument

                Usage:  skep service create [OPTIONS] IMAGE [COMMAND] [ARG...]

                See 'skep service create --help' for more information
                """, noImage.err());
        assertEquals(1, daemon.requests("POST", "/services/create").size());
    }

    static final String CURRENT = """
            {"ID":"svc1","Version":{"Index":12},
             "Spec":{"Name":"web","Labels":{"x":"y","keep":"1"},
               "TaskTemplate":{"ContainerSpec":{"Image":"busybox:1","Args":["sleep","1"],"Env":["A=1","B=2"]},
                 "Placement":{"Constraints":["b==1"]},"ForceUpdate":2},
               "Mode":{"Replicated":{"Replicas":1}},"EndpointSpec":{"Mode":"vip"}}}""";

    @Test
    void updateMergesFlagsIntoTheFullSpec() {
        daemon.on("GET /services/web", CURRENT);
        daemon.on("POST /services/{}/update", "{\"Warnings\":[\"a warning\"]}");

        Skep.Result r = Skep.run(
                daemon,
                "service",
                "update",
                "-d",
                "--env-add",
                "B=3",
                "--env-add",
                "C=4",
                "--env-rm",
                "A",
                "--label-rm",
                "x",
                "--label-add",
                "k=v",
                "--force",
                "--replicas",
                "4",
                "--image",
                "busybox:2",
                "--args",
                "sh -c 'echo \"hi there\"'",
                "--runtime",
                "docker",
                "--constraint-add",
                "a==1",
                "--restart-max-attempts",
                "5",
                "web");

        assertEquals(0, r.code(), r.err());
        assertEquals("web\n", r.out());
        assertEquals("a warning\n", r.err());
        CannedDaemon.Request post =
                daemon.requests("POST", "/services/svc1/update").getFirst();
        assertEquals("spec", post.query("registryAuthFrom"));
        assertEquals("12", post.query("version"));
        assertEquals(null, post.query("rollback"));
        JsonNode spec = post.json();
        JsonNode cs = spec.path("TaskTemplate").path("ContainerSpec");
        assertEquals("busybox:2", cs.path("Image").asText());
        assertEquals(CannedDaemon.parse("[\"sh\",\"-c\",\"echo \\\"hi there\\\"\"]"), cs.path("Args"));
        assertEquals(CannedDaemon.parse("[\"B=3\",\"C=4\"]"), cs.path("Env"));
        assertEquals(
                CannedDaemon.parse("{\"keep\":\"1\",\"k\":\"v\",\"io.skep.runtime\":\"docker\"}"), spec.path("Labels"));
        assertEquals(3, spec.path("TaskTemplate").path("ForceUpdate").asInt());
        assertEquals(4, spec.path("Mode").path("Replicated").path("Replicas").asInt());
        assertEquals(
                CannedDaemon.parse("[\"a==1\",\"b==1\"]"),
                spec.path("TaskTemplate").path("Placement").path("Constraints"));
        assertEquals(
                CannedDaemon.parse("{\"Condition\":\"any\",\"Delay\":5000000000,\"MaxAttempts\":5}"),
                spec.path("TaskTemplate").path("RestartPolicy"));
        assertEquals("vip", spec.path("EndpointSpec").path("Mode").asText());
    }

    @Test
    void updateRollbackAndErrors() {
        daemon.on("GET /services/web", CURRENT);
        daemon.on("POST /services/{}/update", r -> Reply.error(409, "update out of sequence"));

        Skep.Result conflict = Skep.run(daemon, "service", "update", "-d", "--force", "web");
        assertEquals(1, conflict.code());
        assertEquals("Error response from daemon: update out of sequence\n", conflict.err());

        daemon.on("POST /services/{}/update", "{}");
        Skep.Result rollback = Skep.run(daemon, "service", "update", "-d", "--rollback", "web");
        assertEquals(0, rollback.code(), rollback.err());
        assertEquals(
                "previous",
                daemon.requests("POST", "/services/svc1/update").getLast().query("rollback"));

        Skep.Result mixed = Skep.run(daemon, "service", "update", "--rollback", "--image", "x", "web");
        assertEquals(1, mixed.code());
        assertEquals("other flags may not be combined with --rollback\n", mixed.err());

        Skep.Result missing = Skep.run(daemon, "service", "update", "-d", "--force", "nope");
        assertEquals(1, missing.code());
        assertEquals("Error response from daemon: page not found\n", missing.err());
    }

    @Test
    void scaleSetsReplicasAndPrintsLikeDocker() {
        daemon.on("GET /services/web", CURRENT);
        daemon.on(
                "GET /services/{}", r -> Reply.error(404, "service " + r.path().substring(10) + " not found"));
        daemon.on("POST /services/{}/update", "{}");

        Skep.Result r = Skep.run(daemon, "service", "scale", "-d", "web=5", "gone=2", "web=x");

        assertEquals(1, r.code());
        assertEquals("web scaled to 5\n", r.out());
        assertEquals(
                "gone: Error response from daemon: service gone not found\n"
                        + "web: invalid replicas value x: strconv.ParseUint: parsing \"x\": invalid syntax\n",
                r.err());
        CannedDaemon.Request post =
                daemon.requests("POST", "/services/svc1/update").getFirst();
        assertEquals("12", post.query("version"));
        assertEquals(null, post.query("registryAuthFrom"));
        assertEquals(
                5, post.json().path("Mode").path("Replicated").path("Replicas").asInt());

        Skep.Result bad = Skep.run(daemon, "service", "scale", "web");
        assertEquals(1, bad.code());
        assertEquals("""
                invalid scale specifier 'web'.
                See 'skep service scale --help'.

                Usage:  skep service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]

                Scale one or multiple replicated services
                """, bad.err());
    }

    @Test
    void rmPrintsEachRemovedServiceAndReportsTheOthers() {
        daemon.on("DELETE /services/a", r -> Reply.empty(200));
        daemon.on(
                "DELETE /services/{}",
                r -> Reply.error(404, "service " + r.path().substring(10) + " not found"));

        Skep.Result r = Skep.run(daemon, "service", "rm", "a", "b");

        assertEquals(1, r.code());
        assertEquals("a\n", r.out());
        assertEquals("Error response from daemon: service b not found\n", r.err());
        assertFalse(daemon.requests("DELETE", "/services/b").isEmpty());
    }
}
