package io.skep.runtime.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The host programs the runtime starts tasks through, found once in the system directories (not the daemon's
 * PATH, which a user may have pointed anywhere).
 *
 * @param env              coreutils {@code env}
 * @param envDefaultSignal whether that {@code env} has {@code --default-signal} (coreutils 8.31 and later): it
 *                         resets signals the daemon was started with ignored (a daemon run with {@code nohup}
 *                         or {@code &} ignores SIGHUP or SIGINT, and a task would inherit that, so a shell's
 *                         {@code trap ... INT} would silently do nothing)
 * @param setsid           util-linux {@code setsid}: each task leads a session of its own
 * @param setpriv          util-linux {@code setpriv}: runs a task as another user
 * @param kill             procps or util-linux {@code kill}: sends the signals Java cannot
 * @param ip               iproute2 {@code ip}: gives a task on networks a network namespace of its own
 */
record Tools(
        Optional<Path> env,
        boolean envDefaultSignal,
        Optional<Path> setsid,
        Optional<Path> setpriv,
        Optional<Path> kill,
        Optional<Path> ip) {

    static final List<String> SYSTEM_DIRS =
            List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    static Tools detect() {
        Optional<Path> env = find("env");
        return new Tools(
                env,
                env.map(Tools::hasDefaultSignal).orElse(false),
                find("setsid"),
                find("setpriv"),
                find("kill"),
                find("ip"));
    }

    static Optional<Path> find(String name) {
        for (String dir : SYSTEM_DIRS) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean hasDefaultSignal(Path env) {
        try {
            // with no command, env prints the environment and exits 0; an env without the option fails
            Process probe = new ProcessBuilder(env.toString(), "--default-signal", "--")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!probe.waitFor(5, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return false;
            }
            return probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
