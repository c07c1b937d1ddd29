package io.skep.distribution;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The build's architecture rules, over the compiled main classes of every module of the reactor (read as bytecode
 * from their {@code target/classes}): no package depends on itself through others, plugins reach the node only
 * through {@code io.skep.spi}, nothing outside the plugins names a plugin, and the CLI side never names the daemon.
 */
class ArchitectureTest {
    /** Packages of plugins, the built-in ones and the examples vendors copy. */
    private static final String[] PLUGINS = {
        "io.skep.scheduler..", "io.skep.runtime..", "io.skep.network..", "io.skep.example.."
    };
    /** Packages of the node and of what drives it: a plugin names none of them. */
    private static final String[] NODE = {"io.skep.core..", "io.skep.cli..", "io.skep.client..", "io.skep.api.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importTheReactor() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent(); // the tests run in distribution/
        List<Path> dirs;
        try (Stream<Path> walk = Files.walk(root, 4)) {
            dirs = walk.filter(p -> p.endsWith(Path.of("target", "classes")) && Files.isDirectory(p.resolve("io/skep")))
                    .filter(p -> !p.startsWith(root.resolve("distribution")) && !p.startsWith(root.resolve("bench")))
                    .toList();
        }
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPaths(dirs);
        for (String module : List.of("spi", "core", "cli", "client", "api", "plugins/scheduler-spread")) {
            assertTrue(
                    dirs.contains(root.resolve(module).resolve("target/classes")),
                    () -> module + " not built: " + dirs);
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.skep.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void pluginsReachOnlyTheSpi() {
        noClasses()
                .that()
                .resideInAnyPackage(PLUGINS)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(NODE)
                .check(classes);
    }

    @Test
    void nothingButAPluginNamesAPlugin() {
        noClasses()
                .that()
                .resideInAnyPackage(NODE)
                .or()
                .resideInAPackage("io.skep.spi..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(PLUGINS)
                .check(classes);
    }

    @Test
    void theCliSideNeverNamesTheDaemon() {
        noClasses()
                .that()
                .resideInAnyPackage("io.skep.cli..", "io.skep.client..", "io.skep.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.skep.core..", "io.skep.spi..")
                .check(classes);
    }
}
