package io.skep.bench.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CleanupTest {

    @Test
    void lastRegisteredFirstEachOnceAndAFailureStopsNothing() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Cleanup cleanup = new Cleanup(new PrintStream(log, true, StandardCharsets.UTF_8));
        List<String> done = new ArrayList<>();
        cleanup.add("images", () -> done.add("images"));
        Cleanup.Action daemon = cleanup.add("daemon", () -> done.add("daemon"));
        cleanup.add("service", () -> {
            throw new IllegalStateException("engine gone");
        });
        cleanup.add("containers", () -> done.add("containers"));

        daemon.run(); // the end of a leg
        daemon.run();
        cleanup.runAll(); // the end of the run
        cleanup.runAll(); // and the shutdown hook, after it

        assertEquals(List.of("daemon", "containers", "images"), done);
        assertTrue(
                log.toString(StandardCharsets.UTF_8).contains("cleanup failed: service: engine gone"), log.toString());
    }
}
