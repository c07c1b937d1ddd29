package io.skep.runtime.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.skep.spi.PluginConfig;
import io.skep.spi.PluginOption;
import io.skep.spi.runtime.Availability;
import io.skep.spi.runtime.TaskRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The connection to the Docker engine: where it is ({@code DOCKER_HOST}, {@code DOCKER_TLS_VERIFY},
 * {@code DOCKER_CERT_PATH}, as the docker CLI reads them), a docker-java client over the zerodep transport, and the
 * engine's reasons for what it refuses.
 */
final class Engine implements AutoCloseable {

    static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
    /** How long a probe waits for the engine's answer to a ping. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern STATUS_PREFIX = Pattern.compile("^Status \\d+: ");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DockerClientConfig config;
    private final DockerClient client;

    private Engine(DockerClientConfig config, DockerClient client) {
        this.config = config;
        this.client = client;
    }

    /** The plugin option {@code docker.host}; when not given, {@code DOCKER_HOST} or the default holds. */
    static final PluginOption<String> HOST_OPTION = PluginOption.string(
                    "host",
                    DEFAULT_HOST,
                    "the Docker engine's address, unix:// or tcp:// (default: $DOCKER_HOST, else " + DEFAULT_HOST + ")")
            .withCheck(Engine::hostProblem);

    /** The engine's address as configured here (the {@code DOCKER_HOST} environment variable, or the default). */
    static String host() {
        String host = System.getenv("DOCKER_HOST");
        return host == null || host.isBlank() ? DEFAULT_HOST : host.strip();
    }

    /** The engine's address: the plugin option {@code docker.host} where given, else {@link #host()}. */
    static String host(PluginConfig config) {
        return config.isSet(HOST_OPTION) ? config.get(HOST_OPTION) : host();
    }

    /** Why {@code host} is no engine address docker-java can dial, or null. */
    static String hostProblem(String host) {
        URI uri;
        try {
            uri = new URI(host);
        } catch (java.net.URISyntaxException e) {
            return "not a valid address: \"" + host + "\"";
        }
        if ("unix".equals(uri.getScheme())) {
            return uri.getPath() == null || uri.getPath().isEmpty() ? "names no socket: \"" + host + "\"" : null;
        }
        if ("tcp".equals(uri.getScheme())) {
            return uri.getHost() == null || uri.getPort() < 0
                    ? "a tcp:// address needs a host and a port: \"" + host + "\""
                    : null;
        }
        return "must be a unix:// or tcp:// address, got \"" + host + "\"";
    }

    /**
     * A client of the engine. No response timeout: the transport cannot bound a read on a unix socket anyway, and
     * the waits for containers' exits are long reads by design. No API version either: the engine speaks its own.
     */
    static Engine connect() throws TaskRuntimeException {
        return connect(host());
    }

    /** A client of the engine at {@code host} (the rest of the configuration as for {@link #connect()}). */
    static Engine connect(String host) throws TaskRuntimeException {
        DockerClientConfig config;
        DockerHttpClient http;
        try {
            config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .withDockerHost(host)
                    .build();
            http = new ZerodepDockerHttpClient.Builder()
                    .dockerHost(config.getDockerHost())
                    .sslConfig(config.getSSLConfig())
                    .connectionTimeout(CONNECT_TIMEOUT)
                    .build();
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: a TLS set-up (DOCKER_TLS_VERIFY) in an image without Bouncy Castle
            throw new TaskRuntimeException("cannot reach a Docker engine at " + host + ": " + reason(e), e);
        }
        return new Engine(config, DockerClientImpl.getInstance(config, http));
    }

    /**
     * Whether an engine answers a ping at {@code host} within {@code timeout}. A unix socket that does not exist is
     * told at once.
     */
    static Availability probe(String host, Duration timeout) {
        String where = "no Docker engine answers at " + host;
        URI uri;
        try {
            uri = URI.create(host);
        } catch (IllegalArgumentException e) {
            return Availability.no(where + ": DOCKER_HOST is not a valid address");
        }
        if ("unix".equals(uri.getScheme())) {
            if (uri.getPath() == null || uri.getPath().isEmpty()) {
                return Availability.no(where + ": DOCKER_HOST names no socket");
            }
            Path socket = Path.of(uri.getPath());
            if (!Files.exists(socket)) {
                return Availability.no(where + " (no such socket)");
            }
        }
        Engine engine;
        try {
            engine = connect(host);
        } catch (TaskRuntimeException e) {
            return Availability.no(where + ": " + reason(e.getCause() == null ? e : e.getCause()));
        }
        // The ping runs on a thread of its own: a read on a unix socket has no timeout, and an engine may hang.
        CompletableFuture<Void> ping = new CompletableFuture<>();
        Thread pinger = Thread.ofPlatform().daemon().name("skep-docker-probe").start(() -> {
            try {
                engine.client().pingCmd().exec();
                ping.complete(null);
            } catch (Throwable t) {
                ping.completeExceptionally(t);
            }
        });
        try {
            ping.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Availability.yes();
        } catch (TimeoutException e) {
            return Availability.no(where + ": no answer to a ping within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            return Availability.no(where + ": " + reason(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Availability.no(where + ": interrupted");
        } finally {
            engine.close(); // also ends a ping still waiting
            pinger.interrupt();
        }
    }

    DockerClient client() {
        return client;
    }

    DockerClientConfig config() {
        return config;
    }

    /**
     * What the engine said, in its own words: {@code No such image: nope:1} rather than docker-java's
     * {@code Status 404: {"message":"No such image: nope:1"}}; for a failure to reach it, the innermost cause.
     */
    static String reason(Throwable e) {
        if (e instanceof DockerException) {
            String message = e.getMessage() == null
                    ? ""
                    : STATUS_PREFIX.matcher(e.getMessage().strip()).replaceFirst("");
            if (message.startsWith("{")) {
                try {
                    JsonNode node = JSON.readTree(message);
                    if (node.hasNonNull("message")) {
                        return node.get("message").asText().strip();
                    }
                } catch (IOException ignored) {
                    // not JSON after all: the text as it is
                }
            }
            return message.isEmpty() ? e.toString() : message;
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            return root.getClass().getSimpleName();
        }
        return root instanceof IOException && !(root.getClass() == IOException.class)
                ? message + " (" + root.getClass().getSimpleName() + ")"
                : message;
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException | RuntimeException ignored) {
            // closing: nothing left to do with it
        }
    }
}
