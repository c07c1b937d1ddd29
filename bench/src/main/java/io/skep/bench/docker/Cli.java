package io.skep.bench.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the docker CLI (and skep's), one process per command, output and errors together. Once the run is
 * {@link #stop() stopping} (Ctrl-C), it starts no more commands but the cleanup's.
 */
final class Cli {

    /** The variables that could point the docker CLI anywhere else than where the scenario says. */
    private static final List<String> DOCKER_VARIABLES = List.of(
            "DOCKER_HOST",
            "DOCKER_CONTEXT",
            "DOCKER_TLS_VERIFY",
            "DOCKER_CERT_PATH",
            "DOCKER_API_VERSION",
            "SKEP_HOST");

    /** How a command ended: its exit code and what it printed. */
    record Result(List<String> command, int exitCode, String output) {

        boolean ok() {
            return exitCode == 0;
        }

        /** This result when the command succeeded; otherwise an exception that says what it printed. */
        Result check() throws IOException {
            if (!ok()) {
                throw new IOException(String.join(" ", command) + " exited with " + exitCode
                        + (output.isBlank() ? "" : ": " + output.strip()));
            }
            return this;
        }
    }

    private final String docker;
    private final boolean verbose;
    private final PrintStream log;
    private final long started = System.nanoTime();
    private volatile boolean stopping;

    Cli(String docker, boolean verbose, PrintStream log) {
        this.docker = docker;
        this.verbose = verbose;
        this.log = log;
    }

    /** From now on only cleanup commands run. */
    void stop() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    /** {@code docker ARGS} against the engine or daemon at {@code host}; fails when stopping. */
    Result docker(String host, Duration timeout, String... args) throws IOException, InterruptedException {
        return run(dockerCommand(args), Map.of("DOCKER_HOST", host), timeout, false);
    }

    /** The same, started in the background. */
    CompletableFuture<Result> dockerAsync(String host, Duration timeout, String... args) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return docker(host, timeout, args);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                },
                command -> Thread.ofVirtual().name("docker-cli").start(command));
    }

    /** {@code docker ARGS} for the cleanup: runs even when stopping. */
    Result cleanup(String host, Duration timeout, String... args) throws IOException, InterruptedException {
        return run(dockerCommand(args), Map.of("DOCKER_HOST", host), timeout, true);
    }

    /** Any command, with these variables set (and the docker variables not listed here unset). */
    Result run(List<String> command, Map<String, String> env, Duration timeout, boolean forCleanup)
            throws IOException, InterruptedException {
        if (stopping && !forCleanup) {
            throw new IOException("stopping: not running " + String.join(" ", command));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        DOCKER_VARIABLES.forEach(builder.environment()::remove);
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> output = new CompletableFuture<>();
        Thread.ofVirtual().name("cli-output").start(() -> {
            try (InputStream in = process.getInputStream()) {
                output.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.complete("(output unreadable: " + e + ")");
            }
        });
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            throw new IOException(String.join(" ", command) + ": no result within " + timeout.toSeconds() + " s");
        }
        String text;
        try {
            text = output.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            text = "";
        }
        if (verbose) {
            log.printf(
                    "  [%8.3f s] %s  (%d ms, exit %d)%n",
                    (start - started) / 1e9,
                    String.join(" ", command),
                    (System.nanoTime() - start) / 1_000_000,
                    process.exitValue());
        }
        return new Result(command, process.exitValue(), text);
    }

    private List<String> dockerCommand(String... args) {
        List<String> command = new ArrayList<>(args.length + 1);
        command.add(docker);
        command.addAll(List.of(args));
        return command;
    }
}
