package io.skep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.cli.CannedDaemon.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes, and the node, swarm, plugin, info, version and daemon commands. */
class CommandsTest {

    @TempDir
    Path dir;

    private CannedDaemon daemon;

    @BeforeEach
    void start() {
        daemon = CannedDaemon.unix(dir.resolve("skep.sock"));
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    @Test
    void exitCodesFollowDocker() {
        daemon.on("GET /services", "[]");
        daemon.on("GET /nodes", r -> Reply.error(503, "This node is not a swarm manager."));

        Skep.Result ok = Skep.run(daemon, "service", "ls");
        assertEquals(0, ok.code());
        assertEquals("ID        NAME      MODE      REPLICAS   IMAGE     PORTS\n", ok.out());

        Skep.Result daemonError = Skep.run(daemon, "node", "ls");
        assertEquals(1, daemonError.code());
        assertEquals("", daemonError.out());
        assertEquals("Error response from daemon: This node is not a swarm manager.\n", daemonError.err());

        Skep.Result unknownFlag = Skep.run(daemon, "service", "ls", "--bogus");
        assertEquals(125, unknownFlag.code());
        assertEquals("""
                unknown flag: --bogus

                Usage:  skep service ls [OPTIONS]

                Run 'skep service ls --help' for more information
                """, unknownFlag.err());

        Skep.Result shorthand = Skep.run(daemon, "service", "ls", "-x");
        assertEquals(125, shorthand.code());
        assertTrue(shorthand.err().startsWith("unknown shorthand flag: 'x' in -x\n"), shorthand.err());

        // argument-count errors are plain errors in docker: exit 1
        Skep.Result missingArg = Skep.run(daemon, "service", "rm");
        assertEquals(1, missingArg.code());
        assertEquals("""
                skep: 'skep service rm' requires at least 1 argument

                Usage:  skep service rm SERVICE [SERVICE...]

                See 'skep service rm --help' for more information
                """, missingArg.err());

        Skep.Result tooMany = Skep.run(daemon, "service", "update", "a", "b");
        assertEquals(1, tooMany.code());
        assertTrue(
                tooMany.err()
                        .startsWith("skep: 'skep service update' requires 1 argument\n\n"
                                + "Usage:  skep service update [OPTIONS] SERVICE\n"),
                tooMany.err());

        Skep.Result flagValue = Skep.run(daemon, "service", "ls", "--format");
        assertEquals(125, flagValue.code());
        assertTrue(flagValue.err().startsWith("flag needs an argument: --format\n"), flagValue.err());

        Skep.Result unknownCommand = Skep.run(daemon, "service", "frobnicate");
        assertEquals(1, unknownCommand.code());
        assertEquals("""
                skep: unknown command: skep service frobnicate

                Usage:  skep service

                Run 'skep service --help' for more information
                """, unknownCommand.err());

        Skep.Result unknownTop = Skep.run(daemon, "frobnicate");
        assertEquals(1, unknownTop.code());
        assertEquals(
                "skep: unknown command: skep frobnicate\n\nRun 'skep --help' for more information\n", unknownTop.err());

        Skep.Result extraArg = Skep.run(daemon, "service", "ls", "web");
        assertEquals(1, extraArg.code());
        assertTrue(extraArg.err().startsWith("skep: 'skep service ls' accepts no arguments\n"), extraArg.err());

        Skep.Result help = Skep.run(daemon, "service", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("\nUsage:  skep service COMMAND\n\nManage Swarm services\n"), help.out());

        Skep.Result bare = Skep.run(daemon);
        assertEquals(0, bare.code());
        assertTrue(bare.out().contains("service"), bare.out());

        String absent = "unix://" + dir.resolve("absent.sock");
        Skep.Result noDaemon = Skep.run(absent, Map.of(), "service", "ls");
        assertEquals(1, noDaemon.code());
        assertEquals(
                "Cannot connect to the skep daemon at " + absent + ". Is the skep daemon running?\n", noDaemon.err());

        Skep.Result badHost = Skep.run("http://nowhere", Map.of(), "service", "ls");
        assertEquals(1, badHost.code());
        assertTrue(badHost.err().startsWith("invalid host \"http://nowhere\""), badHost.err());
    }

    @Test
    void hostFlagWinsOverTheEnvironment() {
        daemon.on("GET /services", "[]");
        Skep.Result r =
                Skep.run("unix://" + dir.resolve("absent.sock"), Map.of(), "-H", daemon.host(), "service", "ls", "-q");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, daemon.requests().size());
    }

    static final String NODES = """
            [{"ID":"nodeID1","Description":{"Hostname":"node-2-foo","Engine":{"EngineVersion":"."}},
              "Spec":{"Availability":"active","Role":"manager"},"Status":{"State":"ready"},
              "ManagerStatus":{"Leader":true,"Reachability":"reachable","Addr":"10.0.0.1:2377"}},
             {"ID":"nodeID2","Description":{"Hostname":"node-10-foo","Engine":{"EngineVersion":"18.03.0-ce"}},
              "Spec":{"Availability":"active"},"Status":{"State":"ready"},
              "ManagerStatus":{"Leader":false,"Reachability":"reachable"}},
             {"ID":"nodeID3","Description":{"Hostname":"node-1-foo","Engine":{"EngineVersion":"1.13.0"}},
              "Spec":{"Availability":"active"},"Status":{"State":"ready"}}]""";

    @Test
    void nodeLsMatchesDockersGoldenFile() {
        daemon.on("GET /nodes", NODES);
        daemon.on("GET /info", "{\"Swarm\":{\"NodeID\":\"nodeID1\"}}");

        Skep.Result r = Skep.run(daemon, "node", "ls");

        assertEquals(0, r.code(), r.err());
        // docker/cli cli/command/node/testdata/node-list-sort.golden
        assertEquals("""
                ID          HOSTNAME      STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION
                nodeID3     node-1-foo    Ready     Active                          1.13.0
                nodeID1 *   node-2-foo    Ready     Active         Leader           .
                nodeID2     node-10-foo   Ready     Active         Reachable        18.03.0-ce
                """, r.out());

        Skep.Result quiet = Skep.run(daemon, "node", "ls", "-q");
        assertEquals(List.of("nodeID3", "nodeID1", "nodeID2"), quiet.lines());
        assertEquals(1, daemon.requests("GET", "/info").size(), "-q does not need /info");

        Skep.Result json = Skep.run(daemon, "node", "ls", "--format", "json");
        assertEquals(3, CannedDaemon.parse(json.out()).size());
    }

    @Test
    void nodeInspectResolvesSelf() {
        daemon.on("GET /info", "{\"Swarm\":{\"NodeID\":\"nodeID1\"}}");
        daemon.on("GET /nodes/nodeID1", """
                {"ID":"nodeID1","CreatedAt":"2009-11-10T23:00:00Z","Spec":{"Availability":"active"},
                 "Description":{"Hostname":"vm","Platform":{"OS":"linux","Architecture":"x86_64"},
                   "Resources":{"NanoCPUs":2000000000,"MemoryBytes":20971520}},
                 "Status":{"State":"ready","Addr":"127.0.0.1"},
                 "ManagerStatus":{"Leader":true,"Reachability":"reachable","Addr":"127.0.0.1:2377"}}""");

        Skep.Result r = Skep.run(daemon, "node", "inspect", "self");
        assertEquals(0, r.code(), r.err());
        assertEquals("nodeID1", CannedDaemon.parse(r.out()).get(0).path("ID").asText());
        assertTrue(r.out().startsWith("[\n    {\n        \"ID\": \"nodeID1\",\n"), r.out());

        Skep.Result pretty = Skep.run(daemon, "node", "inspect", "--pretty", "self");
        assertEquals("""
                ID:\t\t\tnodeID1
                Hostname:              \tvm
                Joined at:             \t2009-11-10 23:00:00 +0000 utc
                Status:
                 State:\t\t\tReady
                 Availability:         \tActive
                 Address:\t\t127.0.0.1
                Manager Status:
                 Address:\t\t127.0.0.1:2377
                 Raft Status:\t\tReachable
                 Leader:\t\tYes
                Platform:
                 Operating System:\tlinux
                 Architecture:\t\tx86_64
                Resources:
                 CPUs:\t\t\t2
                 Memory:\t\t20MiB
                Engine Version:\t\t
                """, pretty.out());
    }

    @Test
    void swarmInitPrintsTheJoinCommand() {
        daemon.on("POST /swarm/init", "\"rdjlnbno0pbm1f0e2zjgaqz8j\"");
        daemon.on(
                "GET /nodes/{}",
                "{\"ID\":\"rdjlnbno0pbm1f0e2zjgaqz8j\",\"ManagerStatus\":{\"Addr\":\"10.0.0.5:2377\"}}");
        daemon.on("GET /swarm", "{\"JoinTokens\":{\"Worker\":\"SWMTKN-1-abc-def\",\"Manager\":\"SWMTKN-1-abc-mgr\"}}");

        Skep.Result r = Skep.run(daemon, "swarm", "init", "--advertise-addr", "10.0.0.5");

        assertEquals(0, r.code(), r.err());
        assertEquals("""
                Swarm initialized: current node (rdjlnbno0pbm1f0e2zjgaqz8j) is now a manager.

                To add a worker to this swarm, run the following command:

                    skep swarm join --token SWMTKN-1-abc-def 10.0.0.5:2377

                To add a manager to this swarm, run 'skep swarm join-token manager' and follow the instructions.
                """, r.out());
        var body = daemon.requests("POST", "/swarm/init").getFirst().json();
        assertEquals("", body.path("ListenAddr").asText(), "left to the daemon's --listen-addr");
        assertEquals("10.0.0.5", body.path("AdvertiseAddr").asText());
        assertEquals(
                false,
                body.path("Spec")
                        .path("EncryptionConfig")
                        .path("AutoLockManagers")
                        .asBoolean(true));
        assertEquals(24, body.path("SubnetSize").asInt());

        daemon.on("POST /swarm/init", r2 -> Reply.error(503, "This node is already part of a swarm."));
        Skep.Result again = Skep.run(daemon, "swarm", "init");
        assertEquals(1, again.code());
        assertEquals("Error response from daemon: This node is already part of a swarm.\n", again.err());
    }

    @Test
    void pluginLsShowsTypeNameModuleDescription() {
        daemon.on("GET /plugins", """
                [{"Id":"p2","Name":"spread","Enabled":true,"PluginReference":"io.skep.scheduler.spread",
                  "Config":{"Description":"Spreads tasks over nodes","Interface":{"Types":["skep.scheduler/1"]}}},
                 {"Id":"p1","Name":"process","Enabled":true,"PluginReference":"io.skep.runtime.process",
                  "Config":{"Description":"Runs tasks as host processes","Interface":{"Types":["skep.runtime/1"]}}}]""");

        Skep.Result r = Skep.run(daemon, "plugin", "ls");

        assertEquals(0, r.code(), r.err());
        String row = "%-12s%-10s%-27s%s";
        assertEquals(
                List.of(
                        String.format(row, "TYPE", "NAME", "MODULE", "DESCRIPTION"),
                        String.format(
                                row, "runtime", "process", "io.skep.runtime.process", "Runs tasks as host processes"),
                        String.format(
                                row, "scheduler", "spread", "io.skep.scheduler.spread", "Spreads tasks over nodes")),
                r.lines());
        Skep.Result json = Skep.run(daemon, "plugin", "ls", "--format", "json");
        assertEquals("p2", CannedDaemon.parse(json.out()).get(0).path("Id").asText());
    }

    @Test
    void infoShowsTheSwarmSection() {
        daemon.on("GET /info", """
                {"ServerVersion":"0.1.0","OSType":"linux","Architecture":"x86_64","NCPU":4,"MemTotal":2097152000,
                 "Name":"vm","Runtimes":{"process":{},"docker":{}},"DefaultRuntime":"process",
                 "Plugins":{"Runtime":["docker","process"],"Scheduler":["spread"]},
                 "Swarm":{"NodeID":"n1","NodeAddr":"10.0.0.1","LocalNodeState":"active","ControlAvailable":true,
                  "Nodes":3,"Managers":1,"RemoteManagers":[{"NodeID":"n1","Addr":"10.0.0.1:2377"}],
                  "Cluster":{"ID":"c1","Spec":{"Orchestration":{"TaskHistoryRetentionLimit":5},
                   "Raft":{"SnapshotInterval":10000,"KeepOldSnapshots":0,"ElectionTick":10,"HeartbeatTick":1},
                   "Dispatcher":{"HeartbeatPeriod":5000000000},"CAConfig":{"NodeCertExpiry":7776000000000000},
                   "EncryptionConfig":{"AutoLockManagers":false}},"RootRotationInProgress":false,"DataPathPort":4789}},
                 "Warnings":["WARNING: nothing to see"]}""");

        Skep.Result r = Skep.run(daemon, "info");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("""
                Server:
                 Server Version: 0.1.0
                 Plugins:
                  Runtime: docker process
                  Scheduler: spread
                 Swarm: active
                  NodeID: n1
                  Is Manager: true
                  ClusterID: c1
                  Managers: 1
                  Nodes: 3
                  Data Path Port: 4789
                  Orchestration:
                   Task History Retention Limit: 5
                  Raft:
                   Snapshot Interval: 10000
                   Number of Old Snapshots to Retain: 0
                   Heartbeat Tick: 1
                   Election Tick: 10
                  Dispatcher:
                   Heartbeat Period: 5 seconds
                  CA Configuration:
                   Expiry Duration: 3 months
                   Force Rotate: 0
                  Autolock Managers: false
                  Root Rotation In Progress: false
                  Node Address: 10.0.0.1
                  Manager Addresses:
                   10.0.0.1:2377
                 Runtimes: docker process
                 Default Runtime: process
                 OSType: linux
                 Architecture: x86_64
                 CPUs: 4
                 Total Memory: 1.953GiB
                 Name: vm
                """), r.out());
        assertEquals("WARNING: nothing to see\n", r.err());

        Skep.Result json = Skep.run(daemon, "info", "--format", "json");
        assertEquals(
                "n1",
                CannedDaemon.parse(json.out()).path("Swarm").path("NodeID").asText());
        Skep.Result field = Skep.run(daemon, "info", "-f", "{{.Swarm.NodeID}}");
        assertEquals("n1\n", field.out());
    }

    @Test
    void versionShowsClientAndServer() {
        daemon.on("GET /version", """
                {"Version":"0.1.0","ApiVersion":"1.41","MinAPIVersion":"1.24","Os":"linux","Arch":"amd64",
                 "Components":[{"Name":"Engine","Version":"0.1.0","Details":{"ApiVersion":"1.41",
                   "MinAPIVersion":"1.24","Os":"linux","Arch":"amd64","JavaVersion":"21.0.5"}}]}""");

        Skep.Result r = Skep.run(daemon, "version");

        assertEquals(0, r.code(), r.err());
        List<String> lines = r.lines();
        assertEquals("Client:", lines.get(0));
        assertEquals(" Version:           " + SkepVersion.get(), lines.get(1));
        assertTrue(lines.contains("Server:"), r.out());
        assertTrue(lines.contains(" Engine:"), r.out());
        assertTrue(lines.contains("  Version:          0.1.0"), r.out());
        assertTrue(lines.contains("  API version:      1.41 (minimum version 1.24)"), r.out());
        assertTrue(lines.contains("  Java version:     21.0.5"), r.out());
        assertTrue(lines.contains("  OS/Arch:          linux/amd64"), r.out());

        Skep.Result json = Skep.run(daemon, "version", "--format", "json");
        assertEquals(
                "1.41",
                CannedDaemon.parse(json.out()).path("Server").path("ApiVersion").asText());

        String absent = "unix://" + dir.resolve("absent.sock");
        Skep.Result clientOnly = Skep.run(absent, Map.of(), "version");
        assertEquals(1, clientOnly.code());
        assertTrue(clientOnly.out().startsWith("Client:\n"));
        assertTrue(clientOnly.err().startsWith("Cannot connect to the skep daemon"));
    }
}
