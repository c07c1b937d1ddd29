package io.skep.cli;

import io.skep.client.DaemonClient;
import io.skep.client.DaemonException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A leaf command: reaches the invocation's context through the root command. */
public abstract class ApiCommand implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print usage")
    boolean help;

    protected CliContext ctx() {
        return ((SkepCommand) spec.root().userObject()).ctx;
    }

    DaemonClient api() {
        return ctx().client();
    }

    protected PrintStream out() {
        return ctx().out;
    }

    PrintStream err() {
        return ctx().err;
    }

    /** A usage error (exit 125), reported like a bad flag. */
    protected ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Docker's wording for a flag value it cannot take. */
    protected ParameterException invalidFlag(String flag, String value, String reason) {
        return usage("invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + reason);
    }

    /** One object's part of a command on several. */
    @FunctionalInterface
    interface EachAction {
        void apply(String ref);
    }

    /**
     * Docker's way with a command on several objects: each in turn, its reference printed once done; the errors
     * (of the daemon, or of the CLI) all together at the end.
     */
    void eachPrinted(List<String> refs, EachAction action) {
        List<String> errors = new ArrayList<>();
        for (String ref : refs) {
            try {
                action.apply(ref);
                out().println(ref);
            } catch (DaemonException | CliException e) {
                errors.add(Main.errorText(e));
            }
        }
        if (!errors.isEmpty()) {
            throw new CliException(String.join("\n", errors));
        }
    }

    @Override
    public final Integer call() throws Exception {
        return run();
    }

    protected abstract int run() throws Exception;
}
