package io.skep.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.skep.cli.CliContext;
import io.skep.cli.Main;
import io.skep.core.node.DaemonCommand;
import io.skep.core.node.DaemonConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code skep daemon}'s configuration file ({@code --config-file}, dockerd's daemon.json rules) and
 * {@code --plugin-opt}: what they set, and every way they are refused, naming the key.
 */
class DaemonOptionsTest {

    @TempDir
    Path dir;

    private Path file(String json) throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, json);
        return file;
    }

    private static DaemonConfig parse(String... args) {
        CliContext ctx = new CliContext(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Map.of(),
                Clock.systemUTC(),
                false);
        CommandLine.ParseResult parsed =
                Main.commandLine(ctx, List.of(new DaemonCommand())).parseArgs(args);
        return ((DaemonCommand) parsed.subcommand().commandSpec().userObject()).config();
    }

    /** Runs {@code skep daemon} on the test's folder with {@code extra} flags; only for a start that fails. */
    private Skep.Result failedStart(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "daemon",
                "--data-dir",
                dir.resolve("data").toString(),
                "-H",
                "unix://" + dir.resolve("skep.sock"),
                "--raft-port",
                "0",
                "--listen-addr",
                "127.0.0.1:0"));
        args.addAll(List.of(extra));
        return Skep.run("unix://" + dir.resolve("unused.sock"), Map.of(), args.toArray(String[]::new));
    }

    @Test
    void theFileSetsTheFlagsItNames() throws IOException {
        Path file = file("""
                {"data-dir": "/tmp/skep-from-file", "hosts": ["unix:///tmp/a.sock", "tcp://127.0.0.1:2390"],
                 "raft-port": 0, "labels": ["zone=eu"], "listen-addr": "127.0.0.1:0",
                 "plugin-opts": {"docker.concurrency": "12", "docker.host": "unix:///tmp/engine.sock"}}
                """);
        DaemonConfig config = parse("daemon", "--config-file", file.toString(), "--runtime", "process");
        assertEquals(Path.of("/tmp/skep-from-file"), config.dataDir());
        assertEquals(List.of(URI.create("unix:///tmp/a.sock"), URI.create("tcp://127.0.0.1:2390")), config.hosts());
        assertEquals(0, config.raftPort());
        assertEquals(Map.of("zone", "eu"), config.labels());
        assertEquals("127.0.0.1:0", config.listenAddr());
        assertEquals("process", config.defaultRuntime(), "a flag the file does not name");
        assertEquals(
                Map.of("docker.concurrency", "12", "docker.host", "unix:///tmp/engine.sock"), config.pluginOptions());

        DaemonConfig flags =
                parse("daemon", "--plugin-opt", "docker.concurrency=10", "--plugin-opt", "docker.host=tcp://h:1");
        assertEquals(Map.of("docker.concurrency", "10", "docker.host", "tcp://h:1"), flags.pluginOptions());
    }

    @Test
    void anUnknownKeyInTheFileIsRefusedNamingIt() throws IOException {
        Path file = file("{\"raft-port\": 0, \"debug\": true, \"bogus\": 1}");
        Skep.Result r = failedStart("--config-file", file.toString());
        assertEquals(1, r.code());
        assertEquals(
                "skep daemon: failed to start: unable to configure the skep daemon with file " + file
                        + ": the following directives don't match any configuration option: bogus, debug\n",
                r.err());
    }

    @Test
    void aKeyGivenAsFlagAndInTheFileIsRefused() throws IOException {
        Path file = file("{\"runtime\": \"process\", \"plugin-opts\": {\"docker.concurrency\": \"10\"}}");
        Skep.Result r = failedStart("--config-file", file.toString(), "--runtime", "docker");
        assertEquals(1, r.code());
        assertEquals(
                "skep daemon: failed to start: unable to configure the skep daemon with file " + file
                        + ": the following directives are specified both as a flag and in the configuration file: "
                        + "runtime: (from flag: docker, from file: \"process\")\n",
                r.err());

        Skep.Result both = failedStart("--config-file", file.toString(), "--plugin-opt", "docker.concurrency=9");
        assertEquals(1, both.code());
        assertEquals(
                true,
                both.err()
                        .contains("specified both as a flag and in the configuration file: plugin-opts: "
                                + "(from flag: [docker.concurrency=9], from file: {\"docker.concurrency\":\"10\"})"),
                both.err());
    }

    @Test
    void aBadFileIsRefusedNamingTheFileAndTheReason() throws IOException {
        Path missing = dir.resolve("absent.json");
        assertEquals(
                "skep daemon: failed to start: unable to configure the skep daemon with file " + missing + ": open "
                        + missing + ": no such file or directory\n",
                failedStart("--config-file", missing.toString()).err());

        Path wrongType = file("{\"plugin-dir\": 5}");
        assertEquals(
                "skep daemon: failed to start: unable to configure the skep daemon with file " + wrongType
                        + ": plugin-dir: must be a string, got 5\n",
                failedStart("--config-file", wrongType.toString()).err());
        Path notANumber = file("{\"raft-port\": \"2378\"}");
        assertEquals(
                "skep daemon: failed to start: unable to configure the skep daemon with file " + notANumber
                        + ": raft-port: must be a whole number, got \"2378\"\n",
                Skep.run(
                                "unix://" + dir.resolve("unused.sock"),
                                Map.of(),
                                "daemon",
                                "--config-file",
                                notANumber.toString())
                        .err());

        Path duplicate = file("{\"raft-port\": 1, \"raft-port\": 2}");
        assertEquals(
                true, failedStart("--config-file", duplicate.toString()).err().contains("Duplicate field 'raft-port'"));

        Path notObject = file("[]");
        assertEquals(
                "skep daemon: failed to start: unable to configure the skep daemon with file " + notObject
                        + ": the file must hold a JSON object\n",
                failedStart("--config-file", notObject.toString()).err());
    }

    @Test
    void pluginOptionsThatNoPluginTakesAreRefusedNamingTheKey() throws IOException {
        assertEquals(
                "skep daemon: failed to start: --plugin-opt nosuch.size: no plugin named nosuch is loaded\n",
                failedStart("--plugin-opt", "nosuch.size=1").err());
        assertEquals(
                "skep daemon: failed to start: --plugin-opt process.size: plugin process takes no options\n",
                failedStart("--plugin-opt", "process.size=1").err());
        assertEquals(
                "skep daemon: failed to start: --plugin-opt concurrency: a plugin option is named "
                        + "<plugin>.<option>\n",
                failedStart("--plugin-opt", "concurrency=1").err());

        Skep.Result noValue = failedStart("--plugin-opt", "docker.concurrency");
        assertEquals(125, noValue.code());
        assertEquals(
                true,
                noValue.err().startsWith("invalid argument \"docker.concurrency\" for \"--plugin-opt\" flag"),
                noValue.err());

        Path file = file("{\"plugin-opts\": {\"spread.weight\": 2}}");
        assertEquals(
                "skep daemon: failed to start: \"plugin-opts\" in " + file + ": spread.weight: plugin spread "
                        + "takes no options\n",
                failedStart("--config-file", file.toString()).err());
    }
}
