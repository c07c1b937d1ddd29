package io.skep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code skep plugin inspect}: a plugin by name or ID, with its options and the values set. */
class PluginInspectTest {

    @TempDir
    Path dir;

    private CannedDaemon daemon;

    @BeforeEach
    void start() {
        daemon = CannedDaemon.unix(dir.resolve("skep.sock"));
        daemon.on("GET /plugins", """
                [{"Id":"runtime/docker","Name":"docker","Enabled":true,"PluginReference":"io.skep.runtime.docker",
                  "Config":{"Description":"containers","Interface":{"Types":["skep.runtime/1"]},
                            "Env":[{"Name":"concurrency","Description":"at once","Value":"10","Settable":["value"]}]},
                  "Settings":{"Env":["concurrency=7"]}},
                 {"Id":"scheduler/spread","Name":"spread","Enabled":true,"PluginReference":"io.skep.scheduler.spread",
                  "Config":{"Description":"spread","Interface":{"Types":["skep.scheduler/1"]},"Env":[]},
                  "Settings":{"Env":[]}}]""");
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    @Test
    void aPluginIsFoundByNameOrId() {
        Skep.Result r = Skep.run(daemon, "plugin", "inspect", "docker", "scheduler/spread");
        assertEquals(0, r.code(), r.err());
        var plugins = CannedDaemon.parse(r.out());
        assertEquals(2, plugins.size());
        assertEquals(
                "concurrency=7",
                plugins.get(0).path("Settings").path("Env").get(0).asText());
        assertEquals("spread", plugins.get(1).path("Name").asText());

        Skep.Result module = Skep.run(daemon, "plugin", "inspect", "-f", "{{.PluginReference}}", "docker");
        assertEquals("io.skep.runtime.docker\n", module.out());
    }

    @Test
    void anUnknownPluginIsAnError() {
        Skep.Result r = Skep.run(daemon, "plugin", "inspect", "docker", "nosuch");
        assertEquals(1, r.code());
        assertEquals("Error: No such plugin: nosuch\n", r.err());
        assertEquals("docker", CannedDaemon.parse(r.out()).get(0).path("Name").asText(), "the ones found are shown");
    }
}
