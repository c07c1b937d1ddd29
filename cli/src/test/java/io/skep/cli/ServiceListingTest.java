package io.skep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.cli.CannedDaemon.Reply;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code service ls}, {@code service ps} and {@code service inspect} against a canned daemon. */
class ServiceListingTest {

    @TempDir
    Path dir;

    private CannedDaemon daemon;

    static final String SERVICES = """
            [
             {"ID":"l7p5qhx1pbq0k3fjqzjp5ptd1","Version":{"Index":11},
              "Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":3}},
                      "TaskTemplate":{"ContainerSpec":{"Image":"nginx:1.27@sha256:0123456789abcdef"}}},
              "Endpoint":{"Spec":{},"Ports":[
                {"Protocol":"tcp","TargetPort":81,"PublishedPort":8081,"PublishMode":"ingress"},
                {"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"},
                {"Protocol":"tcp","TargetPort":9000,"PublishedPort":9000,"PublishMode":"host"}]},
              "ServiceStatus":{"RunningTasks":3,"DesiredTasks":3,"CompletedTasks":0}},
             {"ID":"9zzzzzzzzzzzzzzzzzzzzzzzz","Version":{"Index":12},
              "Spec":{"Name":"api-10","Mode":{"Global":{}},
                      "TaskTemplate":{"ContainerSpec":{"Image":"busybox"}}},
              "Endpoint":{"Spec":{}},
              "ServiceStatus":{"RunningTasks":2,"DesiredTasks":2,"CompletedTasks":0}},
             {"ID":"0aaaaaaaaaaaaaaaaaaaaaaaa","Version":{"Index":13},
              "Spec":{"Name":"api-2","Mode":{"Replicated":{"Replicas":1}},
                      "TaskTemplate":{"ContainerSpec":{"Image":"docker.io/library/redis:7"}}},
              "Endpoint":{"Spec":{}},
              "ServiceStatus":{"RunningTasks":0,"DesiredTasks":1,"CompletedTasks":0}}
            ]""";

    @BeforeEach
    void start() {
        daemon = CannedDaemon.unix(dir.resolve("skep.sock"));
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    @Test
    void serviceLsRendersDockersTable() {
        daemon.on("GET /services", SERVICES);

        Skep.Result r = Skep.run(daemon, "service", "ls");

        assertEquals(0, r.code(), r.err());
        String row = "%-15s%-10s%-13s%-11s%-13s%s";
        assertEquals(
                List.of(
                        String.format(row, "ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"),
                        String.format(row, "0aaaaaaaaaaa", "api-2", "replicated", "0/1", "redis:7", ""),
                        String.format(row, "9zzzzzzzzzzz", "api-10", "global", "2/2", "busybox", ""),
                        String.format(
                                row,
                                "l7p5qhx1pbq0",
                                "web",
                                "replicated",
                                "3/3",
                                "nginx:1.27",
                                "*:8080-8081->80-81/tcp")),
                r.lines());
        assertEquals("true", daemon.requests().getFirst().query("status"));
    }

    @Test
    void serviceLsQuietFormatsAndFilters() {
        daemon.on("GET /services", SERVICES);

        Skep.Result quiet = Skep.run(daemon, "service", "ls", "-q", "-f", "name=api");
        assertEquals(List.of("0aaaaaaaaaaa", "9zzzzzzzzzzz", "l7p5qhx1pbq0"), quiet.lines());
        CannedDaemon.Request seen = daemon.requests().getLast();
        assertEquals(null, seen.query("status"));
        assertTrue(seen.filters().path("name").path("api").asBoolean());

        Skep.Result json = Skep.run(daemon, "service", "ls", "--format", "json");
        JsonNode array = CannedDaemon.parse(json.out());
        assertEquals(3, array.size());
        assertEquals("web", array.get(0).path("Spec").path("Name").asText());

        Skep.Result template = Skep.run(daemon, "service", "ls", "--format", "{{.Name}}: {{.Replicas}}");
        assertEquals(List.of("api-2: 0/1", "api-10: 2/2", "web: 3/3"), template.lines());

        Skep.Result table = Skep.run(daemon, "service", "ls", "--format", "table {{.Name}}\\t{{.Mode}}");
        assertEquals(
                List.of("NAME      MODE", "api-2     replicated", "api-10    global", "web       replicated"),
                table.lines());
    }

    @Test
    void serviceLsComputesReplicasWhenTheDaemonDoesNotSendServiceStatus() {
        daemon.on("GET /services", """
                [{"ID":"s1","Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":3}},
                  "TaskTemplate":{"ContainerSpec":{"Image":"busybox"}}}}]""");
        daemon.on("GET /tasks", """
                [{"ID":"t1","ServiceID":"s1","NodeID":"n1","DesiredState":"running","Status":{"State":"running"}},
                 {"ID":"t2","ServiceID":"s1","NodeID":"n2","DesiredState":"running","Status":{"State":"running"}},
                 {"ID":"t3","ServiceID":"s1","NodeID":"n1","DesiredState":"running","Status":{"State":"starting"}},
                 {"ID":"t4","ServiceID":"s1","NodeID":"n1","DesiredState":"shutdown","Status":{"State":"failed"}}]""");
        daemon.on("GET /nodes", """
                [{"ID":"n1","Status":{"State":"ready"}},{"ID":"n2","Status":{"State":"down"}}]""");

        Skep.Result r = Skep.run(daemon, "service", "ls");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.lines().get(1).contains("1/3"), r.out());
    }

    static final String PS_SERVICE = """
            [{"ID":"svc1aaaaaaaaaaaaaaaaaaaaa","Spec":{"Name":"web"}}]""";

    @Test
    void servicePsShowsHistoryRowsAndStateAges() {
        daemon.on("GET /services", r -> {
            JsonNode f = r.filters();
            return f.has("name") && f.path("name").has("web") ? Reply.ok(PS_SERVICE) : Reply.ok("[]");
        });
        daemon.on("GET /services/{}", "{\"ID\":\"svc1aaaaaaaaaaaaaaaaaaaaa\",\"Spec\":{\"Name\":\"web\"}}");
        daemon.on("GET /nodes/n1", "{\"ID\":\"n1\",\"Description\":{\"Hostname\":\"node-1\"}}");
        daemon.on("GET /nodes/{}", r -> Reply.error(404, "node not found"));
        daemon.on("GET /tasks", """
                [
                 {"ID":"task0oldaaaaaaaaaaaaaaaaaaa","ServiceID":"svc1aaaaaaaaaaaaaaaaaaaaa","Slot":1,"NodeID":"n1",
                  "CreatedAt":"%s","DesiredState":"shutdown",
                  "Spec":{"ContainerSpec":{"Image":"nginx:1.27@sha256:0123"}},
                  "Status":{"Timestamp":"%s","State":"failed","Err":"task: non-zero exit (1): the program failed badly"}},
                 {"ID":"task10aaaaaaaaaaaaaaaaaaaa","ServiceID":"svc1aaaaaaaaaaaaaaaaaaaaa","Slot":10,"NodeID":"",
                  "CreatedAt":"%s","DesiredState":"running",
                  "Spec":{"ContainerSpec":{"Image":"nginx:1.27@sha256:0123"}},
                  "Status":{"Timestamp":"%s","State":"pending"}},
                 {"ID":"task2aaaaaaaaaaaaaaaaaaaaa","ServiceID":"svc1aaaaaaaaaaaaaaaaaaaaa","Slot":2,"NodeID":"n2zzzzzzzzzzzzzzzzzzzzzzz",
                  "CreatedAt":"%s","DesiredState":"running",
                  "Spec":{"ContainerSpec":{"Image":"nginx:1.27@sha256:0123"}},
                  "Status":{"Timestamp":"%s","State":"running","PortStatus":{"Ports":[
                    {"Protocol":"tcp","TargetPort":80,"PublishedPort":30000,"PublishMode":"host"}]}}},
                 {"ID":"task1newaaaaaaaaaaaaaaaaaa","ServiceID":"svc1aaaaaaaaaaaaaaaaaaaaa","Slot":1,"NodeID":"n1",
                  "CreatedAt":"%s","DesiredState":"running",
                  "Spec":{"ContainerSpec":{"Image":"nginx:1.27@sha256:0123"}},
                  "Status":{"Timestamp":"%s","State":"running"}}
                ]""".formatted(
                        Skep.ago(7300),
                        Skep.ago(7200),
                        Skep.ago(1),
                        Skep.ago(0),
                        Skep.ago(100),
                        Skep.ago(65),
                        Skep.ago(60),
                        Skep.ago(7)));

        Skep.Result r = Skep.run(daemon, "service", "ps", "web");

        assertEquals(0, r.code(), r.err());
        String row = "%-15s%-12s%-13s%-28s%-16s%-33s%-35s%s";
        assertEquals(
                List.of(
                        String.format(
                                row, "ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"),
                        String.format(
                                row,
                                "task1newaaaa",
                                "web.1",
                                "nginx:1.27",
                                "node-1",
                                "Running",
                                "Running 7 seconds ago",
                                "",
                                ""),
                        String.format(
                                row,
                                "task0oldaaaa",
                                " \\_ web.1",
                                "nginx:1.27",
                                "node-1",
                                "Shutdown",
                                "Failed 2 hours ago",
                                "\"task: non-zero exit (1): the …\"",
                                ""),
                        String.format(
                                row,
                                "task2aaaaaaa",
                                "web.2",
                                "nginx:1.27",
                                "n2zzzzzzzzzzzzzzzzzzzzzzz",
                                "Running",
                                "Running about a minute ago",
                                "",
                                "*:30000->80/tcp"),
                        String.format(
                                row,
                                "task10aaaaaa",
                                "web.10",
                                "nginx:1.27",
                                "",
                                "Running",
                                "Pending less than a second ago",
                                "",
                                "")),
                r.lines());
        // the tasks were asked for by service ID
        CannedDaemon.Request tasks = daemon.requests("GET", "/tasks").getFirst();
        assertTrue(tasks.filters()
                .path("service")
                .path("svc1aaaaaaaaaaaaaaaaaaaaa")
                .asBoolean());
    }

    @Test
    void servicePsQuietAndNoTruncAndNotFound() {
        daemon.on("GET /services", r -> r.filters().has("id") ? Reply.ok(PS_SERVICE) : Reply.ok("[]"));
        daemon.on("GET /services/{}", "{\"ID\":\"svc1aaaaaaaaaaaaaaaaaaaaa\",\"Spec\":{\"Name\":\"web\"}}");
        daemon.on("GET /tasks", """
                [{"ID":"task1newaaaaaaaaaaaaaaaaaa","ServiceID":"svc1aaaaaaaaaaaaaaaaaaaaa","Slot":1,
                  "DesiredState":"running","Spec":{"ContainerSpec":{"Image":"nginx:1.27@sha256:0123"}},
                  "Status":{"Timestamp":"%s","State":"running"}}]""".formatted(Skep.ago(3)));

        // by ID prefix
        Skep.Result quiet = Skep.run(daemon, "service", "ps", "-q", "svc1");
        assertEquals(0, quiet.code(), quiet.err());
        assertEquals(List.of("task1newaaaaaaaaaaaaaaaaaa"), quiet.lines());

        Skep.Result noTrunc = Skep.run(daemon, "service", "ps", "--no-trunc", "svc1");
        assertTrue(
                noTrunc.lines().get(1).startsWith("task1newaaaaaaaaaaaaaaaaaa   web.1     nginx:1.27@sha256:0123"),
                noTrunc.out());

        Skep.Result missing = Skep.run(daemon, "service", "ps", "svc1", "nope");
        assertEquals(1, missing.code());
        assertEquals(2, missing.lines().size());
        assertEquals("no such service: nope\n", missing.err());

        daemon.on("GET /services", "[]");
        Skep.Result none = Skep.run(daemon, "service", "ps", "nope");
        assertEquals(1, none.code());
        assertEquals("", none.out());
        assertEquals("no such service: nope\n", none.err());
    }

    @Test
    void taskTableMatchesDockersGoldenFile() {
        // docker/cli cli/command/task/testdata/task-print-with-indentation.golden
        daemon.on("GET /services/{}", "{\"ID\":\"service-id-foo\",\"Spec\":{\"Name\":\"service-name-foo\"}}");
        daemon.on("GET /nodes/{}", "{\"ID\":\"id-node\",\"Spec\":{\"Name\":\"node-name-bar\"}}");
        String task = """
                {"ID":"%s","ServiceID":"service-id-foo","Slot":1,"NodeID":"id-node","DesiredState":"ready",
                 "Spec":{"ContainerSpec":{"Image":"myimage:mytag"}},
                 "Status":{"State":"failed","Timestamp":"%s"}}""";
        List<JsonNode> tasks = List.of(
                CannedDaemon.parse(task.formatted("id-foo", Skep.ago(7200))),
                CannedDaemon.parse(task.formatted("id-bar", Skep.ago(7200))));
        try (var client = new io.skep.client.DaemonClient(daemon.host())) {
            String out = new TaskPrinter(client, false).print(tasks, false, false, null, Skep.NOW);
            assertEquals("""
                    ID        NAME                     IMAGE           NODE            DESIRED STATE   CURRENT STATE        ERROR     PORTS
                    id-foo    service-name-foo.1       myimage:mytag   node-name-bar   Ready           Failed 2 hours ago            \s
                    id-bar     \\_ service-name-foo.1   myimage:mytag   node-name-bar   Ready           Failed 2 hours ago            \s
                    """, out);
        }
    }

    static final String INSPECTED = """
            {"ID":"svc1","Version":{"Index":4},"Spec":{"Name":"web","Labels":{},
             "TaskTemplate":{"ContainerSpec":{"Image":"busybox:1","Args":["sleep","60"],"Env":["A=1"],"Init":false},
                             "Placement":{"Constraints":["node.role==manager"]},"Resources":{"Limits":{},"Reservations":{}}},
             "Mode":{"Replicated":{"Replicas":2}},
             "UpdateConfig":{"Parallelism":1,"FailureAction":"pause","Monitor":5000000000,"MaxFailureRatio":0,"Order":"stop-first"},
             "EndpointSpec":{"Mode":"vip"}},"Endpoint":{"Spec":{},"Ports":[]}}""";

    @Test
    void serviceInspectPrintsDockerInspectJson() {
        daemon.on("GET /services/web", INSPECTED);
        daemon.on(
                "GET /services/{}", r -> Reply.error(404, "service " + r.path().substring(10) + " not found"));

        Skep.Result r = Skep.run(daemon, "service", "inspect", "web");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("""
                [
                    {
                        "ID": "svc1",
                        "Version": {
                            "Index": 4
                        },
                        "Spec": {
                            "Name": "web",
                            "Labels": {},
                """), r.out());
        assertTrue(
                r.out().contains("\"Args\": [\n                        \"sleep\",\n                        \"60\"\n"));
        assertTrue(
                r.out()
                        .endsWith("        \"Endpoint\": {\n            \"Spec\": {},\n            \"Ports\": []\n"
                                + "        }\n    }\n]\n"),
                r.out());
        assertEquals("true", daemon.requests().getFirst().query("insertDefaults"));

        Skep.Result missing = Skep.run(daemon, "service", "inspect", "web", "nope");
        assertEquals(1, missing.code());
        assertEquals("svc1", CannedDaemon.parse(missing.out()).get(0).path("ID").asText());
        assertEquals("Error: no such service: nope\n", missing.err());

        Skep.Result none = Skep.run(daemon, "service", "inspect", "nope");
        assertEquals("[]\n", none.out());

        Skep.Result json = Skep.run(daemon, "service", "inspect", "--format", "json", "web");
        assertEquals(1, json.lines().size());
        Skep.Result field = Skep.run(daemon, "service", "inspect", "-f", "{{.Spec.Name}} {{json .Spec.Mode}}", "web");
        assertEquals("web {\"Replicated\":{\"Replicas\":2}}\n", field.out());
    }

    @Test
    void serviceInspectPretty() {
        daemon.on("GET /services/web", INSPECTED);

        Skep.Result r = Skep.run(daemon, "service", "inspect", "--pretty", "web");

        assertEquals(0, r.code(), r.err());
        assertEquals("""

                ID:\t\tsvc1
                Name:\t\tweb
                Service Mode:\tReplicated
                 Replicas:\t2
                Placement:
                 Constraints:\t[node.role==manager]
                UpdateConfig:
                 Parallelism:\t1
                 On failure:\tpause
                 Monitoring Period: 5s
                 Max failure ratio: 0
                 Update order:      stop-first
                ContainerSpec:
                 Image:\t\tbusybox:1
                 Args:\t\tsleep 60\s
                 Env:\t\tA=1\s
                 Init:\t\tfalse
                Resources:
                Endpoint Mode:\tvip

                """, r.out());
    }
}
