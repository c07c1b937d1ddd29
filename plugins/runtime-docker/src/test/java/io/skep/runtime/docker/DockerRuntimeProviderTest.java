package io.skep.runtime.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskExit;
import io.skep.spi.runtime.TaskRuntimeProvider;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** What needs no engine: discovery, validation, signal names and exit accounts. */
class DockerRuntimeProviderTest {

    private static TaskDefinition launch(String image, String stopSignal, Duration grace, String dir) {
        return TaskDefinition.builder("t1", image)
                .taskName("web.1.t1")
                .service("s1", "web")
                .slot(1)
                .nodeId("n1")
                .workingDir(dir)
                .stopSignal(stopSignal)
                .stopGracePeriod(grace)
                .build();
    }

    private static Optional<String> validate(String image) {
        return new DockerRuntimeProvider().validate(launch(image, "", null, ""));
    }

    @Test
    void foundByServiceLoaderAsDocker() {
        // the tests run inside the plugin's module, which declares no `uses` (the core does)
        DockerRuntimeProviderTest.class.getModule().addUses(TaskRuntimeProvider.class);
        List<TaskRuntimeProvider> found = ServiceLoader.load(TaskRuntimeProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("docker"))
                .toList();
        assertEquals(1, found.size(), "providers named docker");
        assertEquals(DockerRuntimeProvider.class, found.getFirst().getClass());
        Module module = found.getFirst().getClass().getModule();
        assertTrue(!module.isNamed() || module.getName().equals("io.skep.runtime.docker"), module::toString);
    }

    @Test
    void validImagesAreAccepted() {
        for (String image : List.of(
                "busybox",
                "busybox:1.36",
                "skep-test/busybox:1",
                "localhost:5000/a/b:c",
                "registry.example.com/team/app@sha256:" + "a".repeat(64),
                "my_app__x-y.z:v1.2-rc.3",
                "[::1]:5000/img:tag",
                "a".repeat(64))) {
            assertEquals(Optional.empty(), validate(image), image);
        }
    }

    @Test
    void hostImageIsRefusedNamingTheField() {
        for (String image : List.of("host", "host:latest", "docker.io/library/host")) {
            Optional<String> reason = validate(image);
            assertEquals(
                    Optional.of(
                            "ContainerSpec.Image: the image \"host\" runs on the process runtime, not on" + " docker"),
                    reason,
                    image);
        }
    }

    @Test
    void invalidImagesAreRefusedNamingTheField() {
        assertEquals(Optional.of("ContainerSpec.Image: an image is required"), validate(""));
        assertEquals(Optional.of("ContainerSpec.Image: an image is required"), validate("  "));
        assertEquals(
                Optional.of("ContainerSpec.Image: invalid reference format: repository name must be lowercase:"
                        + " \"Busybox\""),
                validate("Busybox"));
        for (String image :
                List.of("busy box", "busybox:", ":1", "a//b", "-a", "a:b:c", "a@sha256:12", "x".repeat(256))) {
            Optional<String> reason = validate(image);
            assertTrue(
                    reason.isPresent() && reason.get().startsWith("ContainerSpec.Image: invalid reference format"),
                    () -> image + ": " + reason);
        }
    }

    @Test
    void otherFieldsAreChecked() {
        DockerRuntimeProvider provider = new DockerRuntimeProvider();
        assertEquals(
                Optional.of("ContainerSpec.StopSignal: invalid signal \"SIGNOPE\""),
                provider.validate(launch("busybox", "SIGNOPE", null, "")));
        assertEquals(
                Optional.of("ContainerSpec.StopGracePeriod: must not be negative"),
                provider.validate(launch("busybox", "", Duration.ofSeconds(-1), "")));
        assertEquals(
                Optional.of("ContainerSpec.Dir: the working directory \"tmp\" is not an absolute path"),
                provider.validate(launch("busybox", "", null, "tmp")));
        assertEquals(Optional.empty(), provider.validate(launch("busybox", "SIGRTMIN+3", Duration.ZERO, "/w")));
    }

    @Test
    void signalsAreReadAsTheEngineReadsThem() {
        assertEquals(Optional.of(15), Signals.parse("SIGTERM"));
        assertEquals(Optional.of(15), Signals.parse("term"));
        assertEquals(Optional.of(15), Signals.parse("15"));
        assertEquals(Optional.of(10), Signals.parse("SIGUSR1"));
        assertEquals(Optional.of(37), Signals.parse("SIGRTMIN+3"));
        assertEquals(Optional.of(62), Signals.parse("RTMAX-2"));
        assertEquals(Optional.empty(), Signals.parse("SIGNOPE"));
        assertEquals(Optional.empty(), Signals.parse("0"));
        assertEquals(Optional.empty(), Signals.parse("65"));
        assertEquals(Optional.empty(), Signals.parse(""));
    }

    @Test
    void exitsAreToldAsAShellTellsThem() {
        assertEquals(new TaskExit(0, "exit status 0"), Signals.exitOf(0, false, ""));
        assertEquals(new TaskExit(3, "exit status 3"), Signals.exitOf(3, false, null));
        assertEquals(new TaskExit(137, "killed by SIGKILL (exit status 137)"), Signals.exitOf(137, false, null));
        assertEquals(new TaskExit(143, "killed by SIGTERM (exit status 143)"), Signals.exitOf(143, false, null));
        assertEquals(new TaskExit(137, "killed: out of memory (exit status 137)"), Signals.exitOf(137, true, null));
    }

    @Test
    void pullsNameATag() {
        assertArrayEquals(new String[] {"busybox", "latest"}, ImageReference.repositoryAndTag("busybox"));
        assertArrayEquals(new String[] {"busybox", "1.36"}, ImageReference.repositoryAndTag("busybox:1.36"));
        assertArrayEquals(
                new String[] {"localhost:5000/a", "latest"}, ImageReference.repositoryAndTag("localhost:5000/a"));
        assertArrayEquals(
                new String[] {"localhost:5000/a", "v1"}, ImageReference.repositoryAndTag("localhost:5000/a:v1"));
        String digest = "sha256:" + "b".repeat(64);
        assertArrayEquals(new String[] {"a/b", digest}, ImageReference.repositoryAndTag("a/b:1@" + digest));
    }
}
