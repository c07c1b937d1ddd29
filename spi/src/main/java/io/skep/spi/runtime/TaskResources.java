package io.skep.spi.runtime;

/**
 * Resource limits of one task ({@code TaskTemplate.Resources.Limits}); 0 means no limit. A runtime that cannot
 * enforce a limit says so in its {@link TaskRuntimeProvider#validate validate} answer rather than ignore it.
 *
 * @param nanoCpus    CPU in units of 10<sup>-9</sup> CPUs ({@code --limit-cpu 0.5} = 500,000,000)
 * @param memoryBytes memory in bytes
 * @param pids        the most processes the task may run at once
 */
public record TaskResources(long nanoCpus, long memoryBytes, long pids) {
    public static final TaskResources NONE = new TaskResources(0, 0, 0);

    public TaskResources {
        if (nanoCpus < 0 || memoryBytes < 0 || pids < 0) {
            throw new IllegalArgumentException("negative resource limit: " + nanoCpus + "/" + memoryBytes + "/" + pids);
        }
    }

    public boolean isNone() {
        return nanoCpus == 0 && memoryBytes == 0 && pids == 0;
    }
}
