package io.skep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A command line gets the model of the command it names only (building every command's was most of a CLI start),
 * and every command when it names none or one that does not exist, so help and picocli's errors are unchanged.
 */
class CommandTreeTest {
    private final CliContext ctx = new CliContext(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            Map.of(),
            Clock.systemUTC(),
            false);

    private Set<String> commands(String... args) {
        return Main.commandLine(ctx, List.of(), args).getSubcommands().keySet();
    }

    @Test
    void theCommandIsTheFirstArgumentAfterTheGlobalOptions() {
        CommandLine top = Main.commandLine(ctx, List.of(), new String[] {"--version"});
        var spec = top.getCommandSpec();
        assertEquals("node", Main.commandName(spec, new String[] {"node", "ls"}));
        assertEquals("node", Main.commandName(spec, new String[] {"-H", "unix:///s.sock", "node", "ls"}));
        assertEquals("service", Main.commandName(spec, new String[] {"--host=tcp://h:2376", "service", "ls"}));
        assertEquals("node", Main.commandName(spec, new String[] {"--tls", "--tlscacert", "ca.pem", "node", "ls"}));
        assertNull(Main.commandName(spec, new String[] {"--version"}));
        assertNull(Main.commandName(spec, new String[] {"-H", "unix:///s.sock"}));
        assertNull(Main.commandName(spec, new String[0]));
    }

    @Test
    void onlyTheNamedCommandIsBuiltAndEveryOneWhenNoneIsNamed() {
        assertEquals(Set.of("node"), commands("-H", "unix:///s.sock", "node", "ls"));
        assertEquals(Set.of("service"), commands("service", "create", "--name", "web", "app"));
        Set<String> all = Set.of("swarm", "node", "network", "service", "plugin", "info", "version");
        assertEquals(all, commands("--help"));
        assertEquals(all, commands());
        assertEquals(all, commands("nodes", "ls"), "an unknown command: picocli reports it among all");
    }
}
