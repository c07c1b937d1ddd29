package io.skep.core.node;

import io.skep.cli.CliContext;
import io.skep.cli.Main;
import java.util.List;

/** The node image's {@code skep}: the CLI's commands and {@code skep daemon}. */
public final class NodeMain {
    private NodeMain() {}

    public static void main(String[] args) {
        System.exit(run(CliContext.system(), args));
    }

    /** Runs one command line against {@code ctx}, {@code daemon} included; returns the exit code. */
    public static int run(CliContext ctx, String... args) {
        return Main.run(ctx, List.of(new DaemonCommand()), args);
    }
}
