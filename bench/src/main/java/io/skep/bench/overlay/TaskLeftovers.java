package io.skep.bench.overlay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the run's process-runtime tasks may leave behind their daemons: a task process lives in a network namespace of
 * its own, out of reach of the harness (which kills what runs in the nodes' namespaces) and outlives a daemon killed
 * with {@code -9}; the files of the namespaces the daemons named ({@code /run/netns/skep-task-<taskID>},
 * {@code skep-ov-<VNI>-<node>}) stay in {@code /run/netns} once their daemons' mount namespaces are gone. Only this
 * run's tasks and nodes are touched: a task process is known by the {@code HOSTNAME} the runtime gives it
 * ({@code <service>.<slot>.<taskID>}).
 */
public final class TaskLeftovers {
    private static final Path PROC = Path.of("/proc");
    private static final Path NETNS = Path.of("/run/netns");

    private TaskLeftovers() {}

    /** The processes of these tasks that still run. */
    public static List<ProcessHandle> processes(Collection<String> taskIds) {
        List<ProcessHandle> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            for (Path p : entries.toList()) {
                String pid = p.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String host = hostname(p);
                int dot = host == null ? -1 : host.lastIndexOf('.');
                if (dot >= 0 && taskIds.contains(host.substring(dot + 1))) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + PROC, e);
        }
        return out;
    }

    private static String hostname(Path process) {
        try {
            String environ = Files.readString(process.resolve("environ"), StandardCharsets.ISO_8859_1);
            for (String entry : environ.split("\0")) {
                if (entry.startsWith("HOSTNAME=")) {
                    return entry.substring("HOSTNAME=".length());
                }
            }
        } catch (IOException | SecurityException e) {
            // it ended meanwhile, or is not ours to read
        }
        return null;
    }

    /** Kills the tasks' processes and removes the namespace files of these tasks and of these nodes' overlays. */
    public static void remove(Collection<String> taskIds, Collection<String> nodeIds) {
        processes(taskIds).forEach(ProcessHandle::destroyForcibly);
        List<String> names = new ArrayList<>();
        taskIds.forEach(id -> names.add("skep-task-" + id));
        try (Stream<Path> entries = Files.exists(NETNS) ? Files.list(NETNS) : Stream.empty()) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith("skep-ov-")
                        && nodeIds.stream()
                                .anyMatch(node ->
                                        name.endsWith("-" + node.substring(0, Math.min(12, node.length()))))) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            // nothing to remove there
        }
        for (String name : names) {
            if (Files.exists(NETNS.resolve(name))) {
                try {
                    Process p = new ProcessBuilder("ip", "netns", "delete", name)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (IOException e) {
                    // left as it is: an empty file in /run/netns
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
