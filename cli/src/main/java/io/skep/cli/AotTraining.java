package io.skep.cli;

import java.util.List;

/**
 * The client image's AOT training run (the image build's {@code train.sh}): builds every command's model once, so
 * that the cache holds the classes and profiles of all of them (a command line builds only the one it names), then
 * runs the command line it is given, against a daemon, as {@code skep} would.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) {
        try (CliContext all = CliContext.system()) {
            Main.commandLine(all, List.of());
        }
        System.exit(Main.run(CliContext.system(), args));
    }
}
