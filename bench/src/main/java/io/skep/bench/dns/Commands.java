package io.skep.bench.dns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs the system's tools for the DNS scenario ({@code docker}, {@code ip}): one command, waited for. */
final class Commands {
    /** No setup command takes long; one that hangs is a broken machine (a build gets more). */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Commands() {}

    /** How a command ended: its exit code and what it printed (output and errors together). */
    record Result(List<String> command, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command}, which must succeed; returns its output, stripped. */
    static String ok(String... command) throws IOException, InterruptedException {
        return ok(TIMEOUT, command);
    }

    static String ok(Duration timeout, String... command) throws IOException, InterruptedException {
        Result r = run(timeout, command);
        if (!r.ok()) {
            throw new IOException(String.join(" ", command) + " exited with " + r.exitCode()
                    + (r.output().isBlank() ? "" : ": " + r.output().strip()));
        }
        return r.output().strip();
    }

    static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        CompletableFuture<String> output = new CompletableFuture<>();
        Thread.ofVirtual().name("command-output").start(() -> {
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
        try {
            return new Result(List.of(command), process.exitValue(), output.get(5, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            return new Result(List.of(command), process.exitValue(), "(output unreadable: " + e + ")");
        }
    }

    /** Whether {@code command} runs and succeeds (a missing tool is no). */
    static boolean works(String... command) throws InterruptedException {
        try {
            return run(Duration.ofSeconds(20), command).ok();
        } catch (IOException e) {
            return false;
        }
    }
}
