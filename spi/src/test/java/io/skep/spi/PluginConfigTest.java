package io.skep.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options a plugin declares, and the checked configuration made of what the user gave. */
class PluginConfigTest {
    private static final PluginOption<Integer> CONCURRENCY = PluginOption.integer("concurrency", 10, 1, 64, "at once");
    private static final PluginOption<String> HOST = PluginOption.string("host", "unix:///a.sock", "engine")
            .withCheck(h ->
                    h.startsWith("unix://") || h.startsWith("tcp://") ? null : "must be a unix:// or tcp:// address");
    private static final PluginOption<Boolean> DEBUG = PluginOption.bool("debug", false, "");
    private static final PluginOption<Duration> TIMEOUT =
            PluginOption.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(10), "");
    private static final List<PluginOption<?>> OPTIONS = List.of(CONCURRENCY, HOST, DEBUG, TIMEOUT);

    @Test
    void givenValuesAreTypedAndTheRestAreDefaults() {
        PluginConfig config =
                PluginConfig.of("docker", OPTIONS, Map.of("concurrency", " 7 ", "debug", "TRUE", "timeout", "1m30s"));
        assertEquals(7, config.get(CONCURRENCY));
        assertEquals(true, config.get(DEBUG));
        assertEquals(Duration.ofSeconds(90), config.get(TIMEOUT));
        assertEquals("unix:///a.sock", config.get(HOST));
        assertTrue(config.isSet(CONCURRENCY));
        assertFalse(config.isSet(HOST));
        assertEquals(Map.of("concurrency", "7", "debug", "true", "timeout", "90s"), config.givenTexts());
        assertEquals(
                List.of("concurrency", "debug", "timeout"),
                List.copyOf(config.givenTexts().keySet()),
                "in the options' order");

        PluginConfig defaults = PluginConfig.defaults("docker", OPTIONS);
        assertEquals(10, defaults.get(CONCURRENCY));
        assertEquals(Duration.ofSeconds(5), defaults.get(TIMEOUT));
        assertEquals(Map.of(), defaults.givenTexts());
    }

    @Test
    void aRefusedValueNamesTheKeyAndTheReason() {
        assertEquals("docker.concurrency: must be from 1 to 64, got 0", refused(Map.of("concurrency", "0")));
        assertEquals("docker.concurrency: must be a whole number, got \"ten\"", refused(Map.of("concurrency", "ten")));
        assertEquals("docker.debug: must be true or false, got \"yes\"", refused(Map.of("debug", "yes")));
        assertEquals(
                "docker.timeout: must be a duration such as 500ms, 10s, 2m or 1h, got \"5\"",
                refused(Map.of("timeout", "5")));
        assertEquals("docker.timeout: must be from 100ms to 10m, got 1h", refused(Map.of("timeout", "1h")));
        assertEquals("docker.host: must be a unix:// or tcp:// address", refused(Map.of("host", "http://x")));
        assertEquals(
                "docker.bogus: plugin docker has no option bogus (its options: concurrency, host, debug, timeout)",
                refused(Map.of("bogus", "1")));
        PluginOptionException none =
                assertThrows(PluginOptionException.class, () -> PluginConfig.of("spread", List.of(), Map.of("x", "1")));
        assertEquals("spread.x", none.key());
        assertEquals("plugin spread takes no options", none.reason());
    }

    @Test
    void aPluginCannotDeclareAnInvalidDefaultOrName() {
        assertThrows(IllegalArgumentException.class, () -> PluginOption.integer("n", 0, 1, 2, ""));
        assertThrows(IllegalArgumentException.class, () -> PluginOption.string("Host.Name", "", ""));
    }

    private static String refused(Map<String, String> given) {
        return assertThrows(PluginOptionException.class, () -> PluginConfig.of("docker", OPTIONS, given))
                .getMessage();
    }
}
