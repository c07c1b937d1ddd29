package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The images hold the modules the build promised, and run with no JDK around. */
class ImageModulesIT {

    /** The plugin modules the build linked into the full image (-Dskep.plugins). */
    private static List<String> plugins() {
        String list = System.getProperty(
                "skep.plugins",
                "io.skep.scheduler.spread,io.skep.scheduler.topology,io.skep.runtime.process,io.skep.runtime.docker,"
                        + "io.skep.network.overlay");
        return Arrays.stream(list.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static List<String> modules(SkepImage image) {
        SkepImage.Result r = image.runJava("--list-modules");
        assertEquals(0, r.exitCode(), r::describe);
        return Arrays.stream(r.stdout().split("\n"))
                .map(l -> l.replaceFirst("@.*", "").trim())
                .toList();
    }

    @Test
    void fullImageHasCoreRatisSpiAndPlugins() {
        SkepImage image = SkepImage.full();
        List<String> modules = modules(image);
        List<String> expected = new ArrayList<>(List.of(
                "io.skep.core", "io.skep.spi", "org.apache.ratis", "org.slf4j", "org.slf4j.jul", "org.conscrypt"));
        expected.addAll(plugins());
        for (String m : expected) {
            assertTrue(modules.contains(m), () -> m + " missing from " + modules);
        }
        assertTrue(Files.isExecutable(image.launcher()));
        assertTrue(Files.isDirectory(image.pluginsDir()));
    }

    @Test
    void trimmedImageLacksOnlyTheProcessRuntime() {
        List<String> full = modules(SkepImage.full());
        List<String> trimmed = modules(SkepImage.withoutProcess());
        assertFalse(trimmed.contains("io.skep.runtime.process"), () -> trimmed.toString());
        assertEquals(
                full.stream().filter(m -> !m.equals("io.skep.runtime.process")).toList(), trimmed);
        assertTrue(Files.isDirectory(SkepImage.withoutProcess().pluginsDir()));
    }

    @Test
    void imageJavaIsTheImagesOwn() {
        SkepImage image = SkepImage.full();
        SkepImage.Result r = image.runJava("-XshowSettings:properties", "-version");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("java.home = " + image.home()), r::describe);
    }

    /** Built on JDK 25+, the full image has an AOT cache, and its launcher hands it to the JVM. */
    @Test
    void theLauncherLoadsTheImagesAotCache() throws IOException {
        assumeTrue(Runtime.version().feature() >= 25, "AOT caches are made on JDK 25+ only");
        assumeTrue(!"false".equals(System.getProperty("skep.aot")), "built with -Dskep.aot=false");
        SkepImage image = SkepImage.full();
        Path cache = image.home().resolve("lib/skep.aot");
        assertTrue(Files.isRegularFile(cache) && Files.size(cache) > 0, "no AOT cache at " + cache);
        SkepImage.Result r = image.run(Map.of("JDK_JAVA_OPTIONS", "-Xlog:aot=info"), "--version");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().contains("Opened AOT cache"), r::describe);
        assertFalse(r.stdout().contains("[error]"), r::describe);
        assertTrue(r.stdout().contains("skep version"), r::describe);
    }

    @Test
    void driverRunsOnTheModulePath() {
        assertEquals("io.skep.distribution", SkepImage.class.getModule().getName());
        assertEquals(SkepImage.class.getModule(), getClass().getModule());
    }
}
