package io.skep.bench.faults;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system's tools ({@code ip}, {@code nft}, {@code kill}): one command, waited for, its output read. */
final class Shell {
    /** None of the commands the harness runs takes long; one that hangs is a broken machine. */
    private static final long TIMEOUT_SECONDS = 30;

    private Shell() {}

    /** What a command did. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command}, feeding it {@code stdin} (or nothing). */
    static Result run(String stdin, String... command) {
        try {
            Path out = Files.createTempFile("skep-faults", ".out");
            Path err = Files.createTempFile("skep-faults", ".err");
            try {
                ProcessBuilder pb =
                        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
                if (stdin == null) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                }
                Process p = pb.start();
                if (stdin != null) {
                    try (var in = p.getOutputStream()) {
                        in.write(stdin.getBytes(StandardCharsets.UTF_8));
                    }
                }
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(
                            String.join(" ", command) + " did not end in " + TIMEOUT_SECONDS + " s");
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Runs {@code command}, which must succeed; returns its standard output. */
    static String ok(String... command) {
        return okWithInput(null, command);
    }

    /** {@link #ok} with {@code stdin} fed to the command. */
    static String okWithInput(String stdin, String... command) {
        Result r = run(stdin, command);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + r.exitCode() + "): "
                    + r.stderr().strip());
        }
        return r.stdout();
    }

    /** The command line {@code ip netns exec NS} followed by {@code command}. */
    static String[] inNamespace(String namespace, String... command) {
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        line.addAll(List.of(command));
        return line.toArray(String[]::new);
    }
}
