package io.skep.runtime.docker;

import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.exception.NotFoundException;
import io.skep.spi.runtime.Availability;
import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.opentest4j.TestAbortedException;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * For test classes that need a Docker engine: their tests are skipped (aborted, as by an assumption) when none
 * answers, unless the environment variable {@code SKEP_REQUIRE_DOCKER=1} is set (CI), which makes them fail instead.
 * Builds the test image once per run ({@code FROM scratch} with the host's static busybox, via Testcontainers'
 * {@code ImageFromDockerfile}) and removes it when all tests are done.
 */
final class RequiresDocker implements BeforeAllCallback, BeforeEachCallback {

    private static final Namespace NAMESPACE = Namespace.create(RequiresDocker.class);
    private static final String BUSYBOX_ENV = "SKEP_TEST_BUSYBOX";
    private static final List<String> BUSYBOX_PATHS = List.of("/bin/busybox", "/usr/bin/busybox");

    private static volatile String image;

    /**
     * Probes the engine and builds the test image: a class fails here when SKEP_REQUIRE_DOCKER=1 and either
     * cannot be had; otherwise each of its tests is skipped, with the reason (see {@link #beforeEach}).
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        Availability engine = new DockerRuntimeProvider().probe(new RuntimeContext("probe", Path.of(".")));
        String missing = engine.available() ? null : engine.reason();
        if (missing == null) {
            Optional<Path> busybox = busybox();
            if (busybox.isEmpty()) {
                missing = "no statically linked busybox at " + String.join(" or ", busyboxCandidates())
                        + " to build the test image from (install busybox-static, or name one in " + BUSYBOX_ENV + ")";
            } else {
                // once per run: the root store closes the image (removes it) after the last test class
                image = context.getRoot()
                        .getStore(NAMESPACE)
                        .getOrComputeIfAbsent(TestImage.class, k -> TestImage.build(busybox.get()), TestImage.class)
                        .name;
            }
        }
        if (missing != null) {
            if (required()) {
                fail("SKEP_REQUIRE_DOCKER=1, but " + missing);
            }
            context.getStore(NAMESPACE).put("missing", missing);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        String missing = context.getStore(NAMESPACE).get("missing", String.class);
        if (missing != null) {
            throw new TestAbortedException("skipped: " + missing + " (SKEP_REQUIRE_DOCKER=1 makes this a failure)");
        }
    }

    /** The test image (built by the first class that needed it). */
    static String image() {
        return image;
    }

    static boolean required() {
        return "1".equals(System.getenv("SKEP_REQUIRE_DOCKER"));
    }

    private static List<String> busyboxCandidates() {
        String configured = System.getenv(BUSYBOX_ENV);
        return configured != null && !configured.isBlank() ? List.of(configured) : BUSYBOX_PATHS;
    }

    /** The first busybox found that can run in a FROM-scratch image (statically linked). */
    private static Optional<Path> busybox() {
        for (String candidate : busyboxCandidates()) {
            Path path = Path.of(candidate);
            if (Files.isRegularFile(path) && Files.isExecutable(path) && isStatic(path)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    /** An ELF file without a PT_INTERP program header (no dynamic loader): statically linked. */
    private static boolean isStatic(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(64 * 1024);
            ByteBuffer b = ByteBuffer.wrap(head);
            if (head.length < 64 || b.getInt(0) != 0x7f454c46 || head[4] != 2) {
                return false; // not a 64-bit ELF file
            }
            b.order(head[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            long phoff = b.getLong(0x20);
            int phentsize = Short.toUnsignedInt(b.getShort(0x36));
            int phnum = Short.toUnsignedInt(b.getShort(0x38));
            for (int i = 0; i < phnum; i++) {
                long at = phoff + (long) i * phentsize;
                if (at + 4 > head.length) {
                    return false;
                }
                if (b.getInt((int) at) == 3) { // PT_INTERP
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code FROM scratch}, the host's static busybox as /bin/busybox, its applets linked in /bin. */
    static final class TestImage implements AutoCloseable {
        final String name;

        private TestImage(String name) {
            this.name = name;
        }

        static TestImage build(Path busybox) {
            String name = "skep-test/runtime-docker-busybox:"
                    + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
            String dockerfile = """
                    FROM scratch
                    COPY busybox /bin/busybox
                    RUN ["/bin/busybox", "--install", "-s", "/bin"]
                    CMD ["/bin/sh"]
                    """;
            TestImage image = new TestImage(name);
            try {
                new ImageFromDockerfile(name, false)
                        .withFileFromPath("busybox", busybox)
                        .withFileFromString("Dockerfile", dockerfile)
                        .get(60, TimeUnit.SECONDS);
            } catch (Exception e) { // Testcontainers' future throws checked exceptions it does not declare
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                image.close();
                throw new IllegalStateException("cannot build the test image " + name + " from " + busybox, e);
            }
            return image;
        }

        @Override
        public void close() {
            try (Engine engine = Engine.connect()) {
                engine.client()
                        .removeImageCmd(name)
                        .withForce(true)
                        .withNoPrune(false)
                        .exec();
            } catch (NotFoundException e) {
                // never built
            } catch (TaskRuntimeException | RuntimeException e) {
                System.err.println("cannot remove the test image " + name + ": " + e);
            }
        }
    }
}
