package io.skep.core.plugins;

import io.skep.api.model.Defaults;
import io.skep.api.model.TaskSpec;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskResources;

/** The Docker-API task spec as the runtime SPI takes it. */
public final class RuntimeSpecs {
    private RuntimeSpecs() {}

    /**
     * A definition of task {@code taskId} with what its spec's container says (image, command, arguments,
     * environment, directory, user, hostname, labels, stop signal and grace, resource limits); the caller adds the
     * task's own parts (name, service, slot, node, and labels of its own).
     */
    public static TaskDefinition.Builder definition(String taskId, TaskSpec spec) {
        TaskSpec.ContainerSpec c = spec.containerSpec;
        return TaskDefinition.builder(taskId, c.image)
                .command(c.command)
                .args(c.args)
                .env(c.env)
                .workingDir(c.dir)
                .user(c.user)
                .hostname(c.hostname)
                .labels(c.labels)
                .stopSignal(c.stopSignal)
                .stopGracePeriod(Defaults.stopGracePeriod(spec))
                .resources(limits(spec));
    }

    /** The task's resource limits (0: no limit). */
    private static TaskResources limits(TaskSpec spec) {
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
