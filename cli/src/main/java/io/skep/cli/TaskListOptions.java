package io.skep.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of the task lists, {@code service ps} and {@code node ps} (docker's, the same on both). */
final class TaskListOptions {

    @Option(
            names = {"-q", "--quiet"},
            arity = "0..1",
            description = "Only display task IDs")
    boolean quiet;

    @Option(names = "--no-trunc", arity = "0..1", description = "Do not truncate output")
    boolean noTrunc;

    @Option(names = "--no-resolve", arity = "0..1", description = "Do not map IDs to Names")
    boolean noResolve;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description = "Format output: table, json, or a Go-style template such as '{{.Name}}'")
    String format;

    @Option(
            names = {"-f", "--filter"},
            paramLabel = "FILTER",
            description = "Filter output based on conditions provided")
    List<String> filter = new ArrayList<>();

    /** Whether IDs and errors are cut to docker's widths. */
    boolean truncate() {
        return !(noTrunc || quiet);
    }
}
