package io.skep.bench;

import java.io.PrintStream;

/**
 * The command line of a scenario driver: its options read (a bad one, or {@code --help}, prints the usage), then
 * its run, whose exception fails the process with its stack trace.
 */
public final class Driver {
    private Driver() {}

    /** Reads options; an {@link IllegalArgumentException} with an empty message asks for the usage alone. */
    @FunctionalInterface
    public interface Parser<O> {
        O parse(String... args);
    }

    /** Runs the scenario; returns the process's exit status. */
    @FunctionalInterface
    public interface Run<O> {
        int run(O options, PrintStream out) throws Exception;
    }

    public static <O> void main(String[] args, String usage, Parser<O> parser, Run<O> run) {
        O options;
        try {
            options = parser.parse(args);
        } catch (IllegalArgumentException e) {
            boolean help = e.getMessage().isEmpty();
            (help ? System.out : System.err).print((help ? "" : e.getMessage() + "\n") + usage);
            System.exit(help ? 0 : 1);
            return;
        }
        int status;
        try {
            status = run.run(options, System.out);
        } catch (Exception e) {
            System.err.print("ERROR: ");
            e.printStackTrace(System.err);
            status = 1;
        }
        System.exit(status);
    }
}
