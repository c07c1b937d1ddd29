package io.skep.spi.runtime;

/**
 * The optional parts of the task runtime SPI. A runtime names those it supports in
 * {@link TaskRuntime#capabilities()}; a call to one it lacks ends in {@link UnsupportedTaskOperationException},
 * never in a crash.
 */
public enum RuntimeCapability {
    /** {@link TaskHandle#logs}: the task's output, with timestamps. */
    LOGS,
    /** {@link TaskHandle#exec}: a command run inside the task (health probes). */
    EXEC,
    /** {@link TaskDefinition#networks()} are joined (without it they are ignored). */
    NETWORKS,
    /** {@link TaskDefinition#mounts()} are mounted (without it a spec with mounts is refused). */
    MOUNTS,
    /** {@link TaskDefinition#files()} are given to the task (without it a spec with files is refused). */
    FILES
}
