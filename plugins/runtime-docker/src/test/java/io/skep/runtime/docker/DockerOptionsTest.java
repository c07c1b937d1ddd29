package io.skep.runtime.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.PluginConfig;
import io.skep.spi.PluginOptionException;
import io.skep.spi.runtime.Availability;
import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskRuntime;
import io.skep.spi.runtime.TaskRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code docker.host} and {@code docker.concurrency}: what the runtime dials and how much it asks at once. */
class DockerOptionsTest {

    @TempDir
    Path dir;

    private static DockerRuntimeProvider configured(Map<String, String> given) {
        DockerRuntimeProvider provider = new DockerRuntimeProvider();
        provider.configure(PluginConfig.of("docker", provider.options(), given));
        return provider;
    }

    @Test
    void theOptionsAreDeclared() {
        DockerRuntimeProvider provider = new DockerRuntimeProvider();
        assertEquals(
                List.of("concurrency", "host"),
                provider.options().stream().map(o -> o.name()).toList());
        assertEquals("10", provider.options().getFirst().defaultText());
    }

    @Test
    void theHostOptionIsTheEngineTheRuntimeProbesAndOpens() {
        String absent = "unix://" + dir.resolve("no-engine.sock");
        DockerRuntimeProvider provider = configured(Map.of("host", absent));
        assertEquals(absent, provider.host());
        RuntimeContext context = new RuntimeContext("n1", dir);
        Availability probe = provider.probe(context);
        assertFalse(probe.available());
        assertEquals("no Docker engine answers at " + absent + " (no such socket)", probe.reason());
        TaskRuntimeException refused = assertThrows(TaskRuntimeException.class, () -> provider.open(context));
        assertTrue(
                refused.getMessage().startsWith("no Docker engine answers at " + absent + ": "), refused.getMessage());
    }

    @Test
    void theConcurrencyOptionIsTheBoundAndWinsOverTheVariable() throws TaskRuntimeException {
        assertEquals(3, configured(Map.of("concurrency", "3")).slots().size());
        assertEquals(
                EngineSlots.from(System.getenv()).size(),
                configured(Map.of()).slots().size(),
                "without the option, the variable (or the default) holds");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertEquals(
                "docker.concurrency: must be from 1 to 1000, got 0",
                assertThrows(PluginOptionException.class, () -> configured(Map.of("concurrency", "0")))
                        .getMessage());
        assertEquals(
                "docker.host: must be a unix:// or tcp:// address, got \"http://localhost:2375\"",
                assertThrows(PluginOptionException.class, () -> configured(Map.of("host", "http://localhost:2375")))
                        .getMessage());
        assertEquals(
                "docker.host: a tcp:// address needs a host and a port: \"tcp://localhost\"",
                assertThrows(PluginOptionException.class, () -> configured(Map.of("host", "tcp://localhost")))
                        .getMessage());
    }

    /** With an engine: the runtime opened on the configured engine holds the configured bound. */
    @Test
    @ExtendWith(RequiresDocker.class)
    void anOpenedRuntimeHasTheConfiguredBound() throws TaskRuntimeException {
        DockerRuntimeProvider provider = configured(Map.of("concurrency", "4", "host", Engine.host()));
        TaskRuntime runtime = provider.open(new RuntimeContext("options-test", dir));
        try {
            assertEquals(4, ((DockerRuntime) runtime).slots().size());
            assertEquals(4, ((DockerRuntime) runtime).slots().free());
        } finally {
            runtime.close();
        }
    }
}
