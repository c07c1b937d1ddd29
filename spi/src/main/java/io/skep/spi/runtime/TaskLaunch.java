package io.skep.spi.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a runtime needs to start one task.
 *
 * @param taskId          the task's ID
 * @param taskName        {@code <service>.<slot>.<task id>} (or {@code <service>.<node id>.<task id>} for
 *                        global services), as Docker names a task's container
 * @param serviceId       the service's ID
 * @param serviceName     the service's name
 * @param slot            the replica slot, 0 for a global service
 * @param nodeId          the node the task runs on
 * @param image           the service's image; its meaning is the runtime's
 * @param command         the entrypoint override ({@code ContainerSpec.Command}), possibly empty
 * @param args            the arguments ({@code ContainerSpec.Args}), possibly empty
 * @param env             environment entries {@code KEY=value}
 * @param workingDir      the working directory, or empty for the runtime's default
 * @param user            the user to run as, or empty for the runtime's default
 * @param hostname        the hostname, or empty
 * @param labels          labels to put on what the runtime creates
 * @param stopSignal      the signal that asks the task to stop, or empty for {@code SIGTERM}
 * @param stopGracePeriod how long to wait after the stop signal before killing
 * @param resources       the task's resource limits ({@link TaskResources#NONE} for none)
 */
public record TaskLaunch(String taskId, String taskName, String serviceId, String serviceName, int slot,
                         String nodeId, String image, List<String> command, List<String> args,
                         List<String> env, String workingDir, String user, String hostname,
                         Map<String, String> labels, String stopSignal, Duration stopGracePeriod,
                         TaskResources resources) {

    public TaskLaunch {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(image, "image");
        command = List.copyOf(command);
        args = List.copyOf(args);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? "" : user;
        hostname = hostname == null ? "" : hostname;
        stopSignal = stopSignal == null || stopSignal.isEmpty() ? "SIGTERM" : stopSignal;
        stopGracePeriod = stopGracePeriod == null ? Duration.ofSeconds(10) : stopGracePeriod;
        resources = resources == null ? TaskResources.NONE : resources;
    }

    /** A launch without resource limits (the shape of the first SPI release, kept for plugins built on it). */
    public TaskLaunch(String taskId, String taskName, String serviceId, String serviceName, int slot,
                      String nodeId, String image, List<String> command, List<String> args,
                      List<String> env, String workingDir, String user, String hostname,
                      Map<String, String> labels, String stopSignal, Duration stopGracePeriod) {
        this(taskId, taskName, serviceId, serviceName, slot, nodeId, image, command, args, env, workingDir, user,
                hostname, labels, stopSignal, stopGracePeriod, TaskResources.NONE);
    }
}
