package io.skep.runtime.process;

import io.skep.spi.runtime.Availability;
import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskRuntime;
import io.skep.spi.runtime.TaskRuntimeException;
import io.skep.spi.runtime.TaskRuntimeProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The runtime {@code process}: a task is a process of the host, run from the image {@code host} (the host's own
 * filesystem), with a clean environment, in a session of its own, its output in the runtime's state directory.
 */
public final class ProcessRuntimeProvider implements TaskRuntimeProvider {

    /** The only image this runtime runs: the host's own filesystem. */
    public static final String HOST_IMAGE = "host";

    public ProcessRuntimeProvider() {}

    @Override
    public String name() {
        return "process";
    }

    @Override
    public String description() {
        return "tasks as host processes (image \"" + HOST_IMAGE + "\")";
    }

    @Override
    public Availability probe(RuntimeContext context) {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Availability.no("the process runtime runs tasks on Linux only; this host runs " + os);
        }
        if (!Files.isReadable(Path.of("/proc/self/stat"))) {
            return Availability.no("the process runtime needs /proc, which is not mounted here");
        }
        return Availability.yes();
    }

    @Override
    public Optional<String> validate(TaskDefinition launch) {
        return check(launch);
    }

    /** {@code host}, also as the docker CLI normalises it ({@code host:latest}, {@code docker.io/library/host}). */
    static boolean isHostImage(String image) {
        String name = image.replaceFirst("^(docker\\.io/)?(library/)?", "");
        return name.equals(HOST_IMAGE) || name.equals(HOST_IMAGE + ":latest");
    }

    static Optional<String> check(TaskDefinition launch) {
        if (!isHostImage(launch.image())) {
            return Optional.of("image \"" + launch.image() + "\" cannot run on the process runtime: it runs only"
                    + " the image \"" + HOST_IMAGE + "\" (the host's own filesystem)");
        }
        if (!launch.resources().isNone()) {
            return Optional.of("TaskTemplate.Resources.Limits: the process runtime does not enforce resource limits;"
                    + " run the service on the docker runtime, or drop the limits");
        }
        if (launch.command().isEmpty() && launch.args().isEmpty()) {
            return Optional.of("ContainerSpec.Args: the process runtime needs a command to run");
        }
        String executable = launch.command().isEmpty()
                ? launch.args().getFirst()
                : launch.command().getFirst();
        if (executable.isEmpty()) {
            return Optional.of((launch.command().isEmpty() ? "ContainerSpec.Args" : "ContainerSpec.Command")
                    + ": the command to run is empty");
        }
        if (!launch.workingDir().isEmpty() && !launch.workingDir().startsWith("/")) {
            return Optional.of(
                    "ContainerSpec.Dir: the working directory \"" + launch.workingDir() + "\" is not an absolute path");
        }
        if (Signals.parse(launch.stopSignal()).isEmpty()) {
            return Optional.of("ContainerSpec.StopSignal: invalid signal \"" + launch.stopSignal() + "\"");
        }
        if (!launch.mounts().isEmpty()) {
            return Optional.of("ContainerSpec.Mounts: the process runtime does not support mounts");
        }
        if (!launch.files().isEmpty()) {
            return Optional.of(
                    "ContainerSpec.Secrets/Configs: the process runtime does not support secret and config" + " files");
        }
        if (launch.stopGracePeriod().isNegative()) {
            return Optional.of("ContainerSpec.StopGracePeriod: must not be negative");
        }
        return Optional.empty();
    }

    @Override
    public TaskRuntime open(RuntimeContext context) throws TaskRuntimeException {
        Availability availability = probe(context);
        if (!availability.available()) {
            throw new TaskRuntimeException(availability.reason());
        }
        return ProcessRuntime.open(context);
    }
}
