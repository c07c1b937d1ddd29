package io.skep.runtime.docker;

import io.skep.spi.PluginConfig;
import io.skep.spi.PluginOption;
import io.skep.spi.runtime.Availability;
import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskMount;
import io.skep.spi.runtime.TaskRuntime;
import io.skep.spi.runtime.TaskRuntimeException;
import io.skep.spi.runtime.TaskRuntimeProvider;
import java.util.List;
import java.util.Optional;

/**
 * The runtime {@code docker}: a task is a container of the Docker engine at {@code docker.host} (default
 * {@code DOCKER_HOST}, else {@code unix:///var/run/docker.sock}), with the task's image, command, arguments,
 * environment, labels, hostname, working directory, user, stop signal and grace period; restarts are skep's, never
 * Docker's. Options: {@code docker.host} and {@code docker.concurrency}; an option not given leaves its environment
 * variable ({@code DOCKER_HOST}, {@code SKEP_DOCKER_CONCURRENCY}) in force, as before options existed.
 */
public final class DockerRuntimeProvider implements TaskRuntimeProvider {

    private volatile PluginConfig config = PluginConfig.defaults("docker", options());

    public DockerRuntimeProvider() {}

    @Override
    public String name() {
        return "docker";
    }

    @Override
    public String description() {
        return "tasks as Docker containers (docker-java, engine at docker.host, DOCKER_HOST or unix:///var/run/docker.sock)";
    }

    @Override
    public List<PluginOption<?>> options() {
        return List.of(EngineSlots.OPTION, Engine.HOST_OPTION);
    }

    @Override
    public void configure(PluginConfig config) {
        this.config = config;
    }

    /** The engine's address: {@code docker.host}, else {@code DOCKER_HOST}, else the default. */
    String host() {
        return Engine.host(config);
    }

    /** The bound of engine operations at once: {@code docker.concurrency}, else the variable, else the default. */
    EngineSlots slots() throws TaskRuntimeException {
        PluginConfig c = config;
        return c.isSet(EngineSlots.OPTION)
                ? new EngineSlots(c.get(EngineSlots.OPTION))
                : EngineSlots.from(System.getenv());
    }

    /** A Docker engine answers a ping at {@link #host()} within {@link Engine#PROBE_TIMEOUT}. */
    @Override
    public Availability probe(RuntimeContext context) {
        return Engine.probe(host(), Engine.PROBE_TIMEOUT);
    }

    @Override
    public Optional<String> validate(TaskDefinition launch) {
        return check(launch);
    }

    static Optional<String> check(TaskDefinition launch) {
        String image = launch.image();
        if (image.isBlank()) {
            return Optional.of("ContainerSpec.Image: an image is required");
        }
        if (ImageReference.isHost(image)) {
            return Optional.of("ContainerSpec.Image: the image \"host\" runs on the process runtime, not on docker");
        }
        String problem = ImageReference.problem(image);
        if (problem != null) {
            return Optional.of("ContainerSpec.Image: " + problem + ": \"" + image + "\"");
        }
        if (Signals.parse(launch.stopSignal()).isEmpty()) {
            return Optional.of("ContainerSpec.StopSignal: invalid signal \"" + launch.stopSignal() + "\"");
        }
        if (launch.stopGracePeriod().isNegative()) {
            return Optional.of("ContainerSpec.StopGracePeriod: must not be negative");
        }
        if (!launch.workingDir().isEmpty() && !launch.workingDir().startsWith("/")) {
            return Optional.of(
                    "ContainerSpec.Dir: the working directory \"" + launch.workingDir() + "\" is not an absolute path");
        }
        for (String entry : launch.env()) {
            if (entry.isEmpty() || entry.startsWith("=")) {
                return Optional.of("ContainerSpec.Env: invalid entry \"" + entry + "\" (KEY=value expected)");
            }
        }
        for (TaskMount m : launch.mounts()) {
            if (!m.target().startsWith("/")) {
                return Optional.of("ContainerSpec.Mounts: the target \"" + m.target() + "\" is not an absolute path");
            }
            if (m.type() == TaskMount.Type.BIND && !m.source().startsWith("/")) {
                return Optional.of(
                        "ContainerSpec.Mounts: the bind source \"" + m.source() + "\" is not an absolute path");
            }
        }
        if (!launch.files().isEmpty()) {
            return Optional.of("ContainerSpec.Secrets/Configs: the docker runtime does not support secret and config"
                    + " files yet");
        }
        return Optional.empty();
    }

    @Override
    public TaskRuntime open(RuntimeContext context) throws TaskRuntimeException {
        return DockerRuntime.open(context, slots(), host());
    }
}
