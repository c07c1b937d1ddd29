package io.skep.spi.runtime;

/**
 * The answer of a runtime's probe.
 *
 * @param available whether the runtime can run tasks here
 * @param reason    why not, when it cannot (e.g. "no Docker engine answers at unix:///var/run/docker.sock")
 */
public record Availability(boolean available, String reason) {

    public static Availability yes() {
        return new Availability(true, "");
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
