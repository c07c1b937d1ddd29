package io.skep.spi.scheduler;

/**
 * An amount of the two resources Docker reserves and reports for a node ({@code Description.Resources},
 * {@code --reserve-cpu}, {@code --reserve-memory}).
 *
 * @param nanoCpus    CPU in units of 10<sup>-9</sup> CPUs ({@code NanoCPUs})
 * @param memoryBytes memory in bytes ({@code MemoryBytes})
 */
public record Resources(long nanoCpus, long memoryBytes) {

    /** Nothing: no reservation, or a node that reports no resources. */
    public static final Resources NONE = new Resources(0, 0);

    public Resources {
        if (nanoCpus < 0 || memoryBytes < 0) {
            throw new IllegalArgumentException(
                    "negative resources: " + nanoCpus + " NanoCPUs, " + memoryBytes + " MemoryBytes");
        }
    }

    /** Whether this is nothing at all. */
    public boolean isNone() {
        return nanoCpus == 0 && memoryBytes == 0;
    }
}
