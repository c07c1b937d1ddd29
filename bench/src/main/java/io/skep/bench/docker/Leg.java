package io.skep.bench.docker;

import java.util.Locale;

/** The three ways the scenario does its steps on the one engine. */
enum Leg {

    /** The engine doing the containers itself: {@code docker run -d}, {@code stop}, {@code rm}, N at a time. */
    RAW("raw", "raw"),
    /** Docker Swarm mode on that engine, driven by the docker CLI. */
    SWARM("swarm", "Swarm"),
    /** skep with its docker runtime, driven by the docker CLI on skep's socket. */
    SKEP("skep", "skep");

    private final String option;
    private final String title;

    Leg(String option, String title) {
        this.option = option;
        this.title = title;
    }

    /** Its name on the command line ({@code --legs=raw,swarm,skep}). */
    String option() {
        return option;
    }

    /** Its name in the report. */
    String title() {
        return title;
    }

    static Leg parse(String name) {
        for (Leg leg : values()) {
            if (leg.option.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return leg;
            }
        }
        throw new IllegalArgumentException("--legs: unknown leg '" + name + "' (raw, swarm, skep)");
    }
}
