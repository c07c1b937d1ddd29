package io.skep.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the CLI in-process against a daemon address, capturing output; time stands still at {@link #NOW}. */
final class Skep {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    record Result(int code, String out, String err) {

        List<String> lines() {
            return out.lines().toList();
        }
    }

    private Skep() {}

    static Result run(CannedDaemon daemon, String... args) {
        return run(daemon.host(), Map.of(), args);
    }

    static Result run(String host, Map<String, String> extraEnv, String... args) {
        return withInput(host, extraEnv, "", args);
    }

    /** With {@code stdin} as the command's input. */
    static Result withInput(String host, Map<String, String> extraEnv, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("SKEP_HOST", host);
        CliContext ctx = new CliContext(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env,
                Clock.fixed(NOW, ZoneOffset.UTC),
                false);
        ctx.in = new java.io.ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int code = Main.run(ctx, args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** An RFC 3339 timestamp {@code seconds} before {@link #NOW}. */
    static String ago(long seconds) {
        return NOW.minusSeconds(seconds).toString();
    }
}
