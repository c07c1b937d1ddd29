package io.skep.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The top command: global options, and the subcommands. */
@Command(
        name = "skep",
        customSynopsis = "skep [OPTIONS] COMMAND",
        synopsisSubcommandLabel = "COMMAND",
        description = "A Docker Swarm-mode orchestrator for the JVM.")
final class SkepCommand implements Callable<Integer> {
    /**
     * The subcommands, in the order help lists them. {@link Main} adds them, only the one a command line names when
     * it names one: picocli builds a command's model from its annotations as it is added, and building all of them
     * was most of a command's start.
     */
    static final List<Class<?>> COMMANDS = List.of(
            SwarmCommand.class,
            NodeCommand.class,
            NetworkCommand.class,
            ServiceCommand.class,
            PluginCommand.class,
            InfoCommand.class,
            VersionCommand.class);

    final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print usage")
    boolean help;

    @Option(
            names = {"-v", "--version"},
            description = "Print version information and quit")
    boolean version;

    /** How the CLI reaches a daemon on tcp:// (a unix socket needs no TLS). */
    @Mixin
    final TlsFlags tls = new TlsFlags();

    SkepCommand(CliContext ctx) {
        this.ctx = ctx;
        ctx.tlsFlags = tls;
    }

    @Option(
            names = {"-H", "--host"},
            paramLabel = "HOST",
            description = "Daemon socket to connect to: unix:///path or tcp://host:port "
                    + "(default: $SKEP_HOST, else unix:///var/run/skep.sock)")
    void host(String host) {
        ctx.hostOption = host;
    }

    @Override
    public Integer call() {
        if (version) {
            ctx.out.println("skep version " + SkepVersion.get());
            return 0;
        }
        spec.commandLine().usage(ctx.out);
        return 0;
    }
}
