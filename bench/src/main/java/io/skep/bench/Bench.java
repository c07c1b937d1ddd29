package io.skep.bench;

import org.openjdk.jmh.Main;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.io.IOException;
import java.util.Collection;

/**
 * The main class of {@code benchmarks.jar}: JMH's own command line (same arguments, same output), followed by
 * the {@link Ratios ratio} of each benchmark to the baseline measured in the same run.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws IOException {
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line:");
            System.err.println(" " + e.getMessage());
            System.exit(1);
            return;
        }
        if (options.shouldHelp() || options.shouldList() || options.shouldListWithParams()
                || options.shouldListProfilers() || options.shouldListResultFormats()) {
            Main.main(args);
            return;
        }
        Collection<RunResult> results;
        try {
            results = new Runner(options).run();
        } catch (NoBenchmarksException e) {
            System.err.println("No benchmarks to run; check the include/exclude regexps.");
            System.exit(1);
            return;
        } catch (RunnerException e) {
            System.err.print("ERROR: ");
            e.printStackTrace(System.err);
            System.exit(1);
            return;
        }
        System.out.println();
        System.out.print(Ratios.table(Ratios.compare(Ratios.rows(results))));
    }
}
