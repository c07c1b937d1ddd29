package io.skep.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.cli.CliContext;
import io.skep.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code skep daemon}'s flags, as the node image's command line parses them. */
class DaemonCommandTest {

    private record Result(int code, String err) {}

    /** Runs the node's command line (without a daemon starting: every case here is refused before). */
    private static Result run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(),
                Clock.systemUTC(),
                false);
        int code = NodeMain.run(ctx, args);
        return new Result(code, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void daemonFlagsBuildTheConfig() {
        CliContext ctx = new CliContext(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Map.of(),
                Clock.systemUTC(),
                false);
        CommandLine cl = Main.commandLine(ctx, List.of(new DaemonCommand()));
        CommandLine.ParseResult parsed = cl.parseArgs(
                "daemon",
                "--data-dir",
                "/tmp/skep-data",
                "-H",
                "unix:///tmp/skep.sock",
                "--host",
                "tcp://127.0.0.1:2390",
                "--runtime",
                "process",
                "--raft-port",
                "0",
                "--plugin-dir",
                "/opt/plugins",
                "--label",
                "zone=eu",
                "--label",
                "tier=gold=1");
        DaemonCommand command =
                (DaemonCommand) parsed.subcommand().commandSpec().userObject();
        DaemonConfig config = command.config();
        assertEquals(Path.of("/tmp/skep-data"), config.dataDir());
        assertEquals(List.of(URI.create("unix:///tmp/skep.sock"), URI.create("tcp://127.0.0.1:2390")), config.hosts());
        assertEquals("process", config.defaultRuntime());
        assertEquals(0, config.raftPort());
        assertEquals(Path.of("/opt/plugins"), config.pluginDir());
        assertEquals(Map.of("zone", "eu", "tier", "gold=1"), config.labels());

        DaemonCommand defaults = (DaemonCommand) Main.commandLine(ctx, List.of(new DaemonCommand()))
                .parseArgs("daemon")
                .subcommand()
                .commandSpec()
                .userObject();
        DaemonConfig d = defaults.config();
        assertEquals(DaemonConfig.DEFAULT_DATA_DIR, d.dataDir());
        assertEquals(List.of(URI.create(DaemonConfig.DEFAULT_HOST)), d.hosts());
        assertEquals(null, d.defaultRuntime());
        assertEquals(DaemonConfig.DEFAULT_RAFT_PORT, d.raftPort());
        assertEquals(null, d.pluginDir());

        Result badLabel = run("daemon", "--label", "nokey");
        assertEquals(125, badLabel.code());
        assertTrue(badLabel.err().startsWith("invalid argument \"nokey\" for \"--label\" flag"), badLabel.err());

        Result badHost = run("daemon", "-H", "http://x:1");
        assertEquals(125, badHost.code());
        assertTrue(badHost.err().startsWith("invalid argument \"http://x:1\" for \"--host\" flag"), badHost.err());
    }
}
