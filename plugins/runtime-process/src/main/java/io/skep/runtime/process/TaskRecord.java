package io.skep.runtime.process;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A task's {@code task.properties}: what a later run of the node needs to find the task again. Written whole
 * and atomically (a temporary file, forced to disk, then renamed over the old one), so a crash leaves either
 * the old record or the new one, never half of one.
 */
final class TaskRecord {

    static final String FILE = "task.properties";

    static final String TASK_ID = "taskId";
    static final String TASK_NAME = "taskName";
    static final String SERVICE_ID = "serviceId";
    static final String SERVICE_NAME = "serviceName";
    static final String SLOT = "slot";
    static final String NODE_ID = "nodeId";
    static final String PID = "pid";
    /** {@link ProcessHandle.Info#startInstant()}, ISO-8601. */
    static final String START_INSTANT = "startInstant";
    /** The start in clock ticks after boot, from {@code /proc/<pid>/stat}: exact where the instant is not. */
    static final String START_TICKS = "startTicks";
    /** Whether the task leads a session of its own (started through {@code setsid}). */
    static final String SESSION = "session";

    static final String STOP_SIGNAL = "stopSignal";
    static final String STOP_GRACE_MILLIS = "stopGracePeriodMillis";
    static final String EXIT_CODE = "exitCode";
    static final String EXIT_MESSAGE = "exitMessage";
    static final String ENDED_AT = "endedAt";
    /** The name of the task's own network namespace, when it is on networks ({@link TaskNamespace}). */
    static final String NETWORK_NAMESPACE = "networkNamespace";

    private TaskRecord() {}

    static Optional<Map<String, String>> read(Path taskDir) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(taskDir.resolve(FILE), StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
        return Optional.of(values);
    }

    /** Replaces the record; fails when the task's directory is gone. */
    static void write(Path taskDir, Map<String, String> values) throws IOException {
        StringBuilder text = new StringBuilder("# skep process runtime: one task\n");
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            Properties one = new Properties();
            one.setProperty(e.getKey(), e.getValue());
            StringWriter line = new StringWriter();
            one.store(line, null);
            // store() writes a date comment first: keep only the escaped key=value line
            line.toString()
                    .lines()
                    .filter(l -> !l.startsWith("#"))
                    .forEach(l -> text.append(l).append('\n'));
        }
        Path tmp = Files.createTempFile(taskDir, FILE + ".", ".tmp");
        try {
            try (FileChannel channel =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            try {
                Files.move(
                        tmp,
                        taskDir.resolve(FILE),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + taskDir.resolve(FILE) + " atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel dir = FileChannel.open(taskDir, StandardOpenOption.READ)) {
            dir.force(true); // the rename itself survives a crash
        } catch (IOException | UnsupportedOperationException e) {
            // some filesystems cannot sync a directory; the rename is still atomic
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException e) {
                    // already gone
                }
            }
        }
    }
}
