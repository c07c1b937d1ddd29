package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Plugin options through the image: {@code --plugin-opt} and daemon.json's {@code "plugin-opts"} reach the docker
 * runtime (the engine it dials, the bound it reports), and what the daemon cannot take stops it, naming the key.
 */
class PluginOptionsIT extends ImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void stopDaemon() {
        if (daemon != null) {
            daemon.stop(Duration.ofSeconds(10));
        }
    }

    private List<String> baseFlags() {
        return new ArrayList<>(List.of(daemonFlags()));
    }

    private void start(String... extra) {
        List<String> args = baseFlags();
        args.addAll(List.of(extra));
        daemon = image.startDaemon(env(), dir.resolve("logs-" + System.nanoTime()), args.toArray(String[]::new));
        await("the daemon to answer", () -> image.run(env(), "version").exitCode() == 0);
    }

    private JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(text, e);
        }
    }

    private JsonNode dockerPlugin() {
        for (JsonNode p : json(ok("plugin", "ls", "--format", "json"))) {
            if (p.path("Name").asText().equals("docker")) {
                return p;
            }
        }
        throw new AssertionError("no docker plugin in " + ok("plugin", "ls"));
    }

    /** The runtime of services that name none: docker only where the docker runtime opened on an engine. */
    private String defaultRuntime() {
        return json(ok("info", "--format", "json")).path("DefaultRuntime").asText();
    }

    private Path file(String json) throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    void theFilesPluginOptsReachTheDockerRuntime() throws IOException {
        TestEngine.require();
        String absent = "unix://" + dir.resolve("no-engine.sock");
        start(
                "--config-file",
                file("{\"plugin-opts\": {\"docker.concurrency\": \"7\", \"docker.host\": \"" + absent + "\"}}")
                        .toString());
        JsonNode docker = dockerPlugin();
        assertEquals(
                "[\"concurrency=7\",\"host=" + absent + "\"]",
                docker.path("Settings").path("Env").toString());
        assertTrue(
                docker.path("Config").path("Env").toString().contains("\"Name\":\"concurrency\""), docker.toString());
        assertEquals("process", defaultRuntime(), "the runtime dialled the configured engine, where none answers");
    }

    @Test
    void aPluginOptFlagReachesTheDockerRuntime() {
        TestEngine.require();
        start("--plugin-opt", "docker.concurrency=5", "--plugin-opt", "docker.host=unix:///var/run/docker.sock");
        assertEquals(
                "[\"concurrency=5\",\"host=unix:///var/run/docker.sock\"]",
                dockerPlugin().path("Settings").path("Env").toString());
        assertEquals("docker", defaultRuntime(), "the machine's engine, named by the option");
        assertEquals(
                "[\"concurrency=5\",\"host=unix:///var/run/docker.sock\"]",
                json(ok("plugin", "inspect", "docker"))
                        .get(0)
                        .path("Settings")
                        .path("Env")
                        .toString());
    }

    @Test
    void whatTheDaemonCannotTakeStopsItNamingTheKey() throws IOException {
        List<String> args = baseFlags();
        args.addAll(0, List.of("daemon"));
        args.addAll(List.of("--plugin-opt", "docker.concurrency=0"));
        SkepImage.Result bad = image.run(env(), args.toArray(String[]::new));
        assertEquals(1, bad.exitCode(), bad.describe());
        assertEquals(
                "skep daemon: failed to start: --plugin-opt docker.concurrency: must be from 1 to 1000, got 0",
                bad.stderr().strip());

        args.set(args.size() - 1, "docker.nosuch=1");
        SkepImage.Result unknown = image.run(env(), args.toArray(String[]::new));
        assertEquals(1, unknown.exitCode(), unknown.describe());
        assertEquals(
                "skep daemon: failed to start: --plugin-opt docker.nosuch: plugin docker has no option nosuch "
                        + "(its options: concurrency, host)",
                unknown.stderr().strip());

        Path file = file("{\"plugin-opts\": {\"docker.concurrency\": \"3\"}, \"debug\": true}");
        SkepImage.Result unknownKey = image.run(env(), "daemon", "--config-file", file.toString());
        assertEquals(1, unknownKey.exitCode(), unknownKey.describe());
        assertEquals(
                "skep daemon: failed to start: unable to configure the skep daemon with file " + file
                        + ": the following directives don't match any configuration option: debug",
                unknownKey.stderr().strip());

        Path conflicting = file("{\"raft-port\": 0}");
        List<String> withFile = baseFlags();
        withFile.addAll(0, List.of("daemon", "--config-file", conflicting.toString()));
        SkepImage.Result both = image.run(env(), withFile.toArray(String[]::new));
        assertEquals(1, both.exitCode(), both.describe());
        assertEquals(
                "skep daemon: failed to start: unable to configure the skep daemon with file " + conflicting
                        + ": the following directives are specified both as a flag and in the configuration file: "
                        + "raft-port: (from flag: 0, from file: 0)",
                both.stderr().strip());
    }
}
