package io.skep.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code skep service}): prints its usage, like docker. */
abstract class CommandGroup implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print usage")
    boolean help;

    @Override
    public Integer call() {
        spec.commandLine().usage(((SkepCommand) spec.root().userObject()).ctx.out);
        return 0;
    }
}
