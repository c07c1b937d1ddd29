package io.skep.network.overlay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs the tools that build the data path (iproute2's {@code ip} and {@code bridge}, {@code nft} of nftables, and
 * coreutils' {@code tee} to set a kernel parameter), in a given network namespace:
 * one command, waited for with a timeout, its exit code checked and its error output kept for the message.
 *
 * <p>Why commands and not netlink: there is no well-kept netlink library for Java (the JDK has no netlink
 * sockets, and the Java ones are unmaintained or need native code of their own), while iproute2 is on every Linux
 * host, speaks the kernel's netlink for us and says in its error output what the kernel refused. A data path
 * changes when a task starts or ends, so a few milliseconds per command are fine; peer tables, which can be large,
 * go through one {@code -batch} command each. nftables rules go through {@code nft -f -}, one transaction per table:
 * a table is replaced whole, atomically.
 *
 * <p>A command runs in a namespace given as a file ({@code /var/run/netns/<name>}, {@code /proc/<pid>/ns/net})
 * through util-linux {@code nsenter --net=<file>}; a null namespace is the process's own.
 */
final class Commands {

    /** The system directories the tools are taken from (not the daemon's PATH, which a user may point anywhere). */
    private static final List<String> SYSTEM_DIRS =
            List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    /** The tools and the packages that bring them. */
    private static final String[][] TOOLS = {
        {"ip", "iproute2"}, {"bridge", "iproute2"}, {"nsenter", "util-linux"}, {"nft", "nftables"}, {"tee", "coreutils"}
    };

    /** What a command did. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** {@code ip link add ... (exit 2): RTNETLINK answers: File exists}. */
        String describe() {
            String err = stderr.strip();
            return String.join(" ", command) + " (exit " + exitCode + ")" + (err.isEmpty() ? "" : ": " + err);
        }
    }

    /** A command that failed: its message says which, with its exit code and error output. */
    static final class CommandException extends Exception {
        private static final long serialVersionUID = 1L;

        CommandException(String message) {
            super(message);
        }
    }

    private final Path ip;
    private final Path bridge;
    private final Path nsenter;
    private final Path nft;
    private final Path tee;
    private final Duration timeout;

    private Commands(Path ip, Path bridge, Path nsenter, Path nft, Path tee, Duration timeout) {
        this.ip = ip;
        this.bridge = bridge;
        this.nsenter = nsenter;
        this.nft = nft;
        this.tee = tee;
        this.timeout = timeout;
    }

    /**
     * The runner, with the tools found in the system directories.
     *
     * @throws CommandException naming the tool that is missing
     */
    static Commands find(Duration timeout) throws CommandException {
        return new Commands(
                tool("ip", "iproute2"),
                tool("bridge", "iproute2"),
                tool("nsenter", "util-linux"),
                tool("nft", "nftables"),
                tool("tee", "coreutils"),
                timeout);
    }

    /** Why the tools cannot be used here, or empty. */
    static Optional<String> missingTool() {
        for (String[] t : TOOLS) {
            if (locate(t[0]).isEmpty()) {
                return Optional.of("the overlay driver needs " + t[0] + " (" + t[1] + "), which is not installed in "
                        + String.join(", ", SYSTEM_DIRS));
            }
        }
        return Optional.empty();
    }

    private static Path tool(String name, String pkg) throws CommandException {
        return locate(name)
                .orElseThrow(() -> new CommandException(
                        name + " (" + pkg + ") is not installed in " + String.join(", ", SYSTEM_DIRS)));
    }

    private static Optional<Path> locate(String name) {
        for (String dir : SYSTEM_DIRS) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Runs {@code ip args} in {@code namespace}; it must succeed. Returns its output. */
    String ip(Path namespace, String... args) throws CommandException {
        return ok(run(namespace, null, ip, args));
    }

    /** Runs {@code ip args} in {@code namespace}, whatever it answers. */
    Result tryIp(Path namespace, String... args) throws CommandException {
        return run(namespace, null, ip, args);
    }

    /** Runs {@code ip -batch -} in {@code namespace} with these commands (one per line); all must succeed. */
    void ipBatch(Path namespace, List<String> lines) throws CommandException {
        if (!lines.isEmpty()) {
            ok(run(namespace, String.join("\n", lines) + "\n", ip, "-batch", "-"));
        }
    }

    /** Runs {@code bridge args} in {@code namespace}; it must succeed. Returns its output. */
    String bridge(Path namespace, String... args) throws CommandException {
        return ok(run(namespace, null, bridge, args));
    }

    /** Runs {@code bridge -batch -} in {@code namespace} with these commands (one per line); all must succeed. */
    void bridgeBatch(Path namespace, List<String> lines) throws CommandException {
        if (!lines.isEmpty()) {
            ok(run(namespace, String.join("\n", lines) + "\n", bridge, "-batch", "-"));
        }
    }

    /** Runs {@code nft -f -} in {@code namespace} with this script: one transaction, all of it or nothing. */
    void nftScript(Path namespace, String script) throws CommandException {
        ok(run(namespace, script, nft, "-f", "-"));
    }

    /** Runs {@code nft args} in {@code namespace}; it must succeed. Returns its output. */
    String nft(Path namespace, String... args) throws CommandException {
        return ok(run(namespace, null, nft, args));
    }

    /**
     * Sets a kernel parameter of {@code namespace}'s network stack ({@code net.ipv4.ip_forward}): its file under
     * {@code /proc/sys/net} is the namespace's for a process inside it, which {@code tee} writes (no procps needed).
     */
    void sysctl(Path namespace, String key, String value) throws CommandException {
        ok(run(namespace, value + "\n", tee, "/proc/sys/" + key.replace('.', '/')));
    }

    private static String ok(Result r) throws CommandException {
        if (!r.ok()) {
            throw new CommandException(r.describe());
        }
        return r.stdout();
    }

    private Result run(Path namespace, String stdin, Path tool, String... args) throws CommandException {
        List<String> command = new ArrayList<>();
        if (namespace != null) {
            command.addAll(List.of(nsenter.toString(), "--net=" + namespace, "--"));
        }
        command.add(tool.toString());
        command.addAll(List.of(args));
        // what messages show: the tool's short name, and the namespace it ran in
        List<String> shown = new ArrayList<>();
        if (namespace != null) {
            shown.add("[netns " + namespace + "]");
        }
        shown.add(tool.getFileName().toString());
        shown.addAll(List.of(args));
        if (stdin != null) {
            shown.add("<<< " + stdin.strip().replace("\n", "; "));
        }
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().put("LC_ALL", "C"); // the error texts we match and show, in English
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            p = pb.start();
        } catch (IOException e) {
            throw new CommandException("cannot run " + String.join(" ", shown) + ": " + e.getMessage());
        }
        // read both outputs while the command runs, so that a full pipe never blocks it
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the command ended without reading all its input: its exit code and error output say why
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new CommandException(
                        String.join(" ", shown) + " did not end within " + timeout.toMillis() + " ms");
            }
            return new Result(shown, p.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while running " + String.join(" ", shown));
        } catch (ExecutionException e) {
            throw new CommandException("cannot read the output of " + String.join(" ", shown) + ": "
                    + e.getCause().getMessage());
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().name("overlay-command-output").start(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return text;
    }
}
