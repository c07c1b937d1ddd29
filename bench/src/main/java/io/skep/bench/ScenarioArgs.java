package io.skep.bench;

import java.nio.file.Path;

/** What the scenario drivers' command lines share: the image they run, and whole numbers with a floor. */
public final class ScenarioArgs {
    private ScenarioArgs() {}

    /** {@code given} ({@code --skep=PATH}), or the image built in this checkout; refused when there is none. */
    public static Path skepImage(Path given) {
        if (given != null) {
            return given;
        }
        Path found = FileTrees.findUp(Path.of(""), "distribution/target/skep/bin/skep");
        if (found == null) {
            throw new IllegalArgumentException("distribution/target/skep/bin/skep not found from "
                    + Path.of("").toAbsolutePath() + ": build it, or give --skep=PATH");
        }
        return found;
    }

    /** The option {@code name}'s {@code value} as a whole number of at least {@code min}; refused, naming it, else. */
    public static long whole(String name, String value, long min) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not a number: '" + value + "'");
        }
        if (n < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + n);
        }
        return n;
    }
}
