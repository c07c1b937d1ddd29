package io.skep.cli;

/** Labels with a meaning to skep. */
public final class SkepLabels {

    /**
     * Service label naming the task runtime the service needs ({@code docker}, {@code process}, a vendor's);
     * {@code skep service create/update --runtime NAME} sets it. A service without it gets the daemon's default.
     */
    public static final String RUNTIME = "io.skep.runtime";

    private SkepLabels() {}
}
