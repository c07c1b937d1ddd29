package io.skep.core.plugins;

import io.skep.api.model.TaskSpec;
import io.skep.spi.runtime.TaskResources;

/** The Docker-API task spec's parts as the runtime SPI takes them. */
public final class RuntimeSpecs {
    private RuntimeSpecs() {
    }

    /** The task's resource limits (0: no limit). */
    public static TaskResources limits(TaskSpec spec) {
        TaskSpec.Limits l = spec == null || spec.resources == null ? null : spec.resources.limits;
        if (l == null) {
            return TaskResources.NONE;
        }
        return new TaskResources(orZero(l.nanoCPUs), orZero(l.memoryBytes), orZero(l.pids));
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
