package io.skep.runtime.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the runtime reads about processes from Linux's {@code /proc}: the facts {@link ProcessHandle} does not
 * give (session, zombie state, the kernel's own start time in clock ticks, the command line).
 */
final class ProcFs {

    private static final Path PROC = Path.of("/proc");

    private ProcFs() {}

    /**
     * One line of {@code /proc/<pid>/stat}.
     *
     * @param startTicks the process's start time in clock ticks after boot: with the PID, it names one process
     *                   for the life of the host (a reused PID has a later start)
     */
    record Stat(long pid, char state, long ppid, long session, long startTicks) {

        /** A zombie has ended: only its exit status waits for its parent. */
        boolean ended() {
            return state == 'Z' || state == 'X' || state == 'x';
        }
    }

    static Optional<Stat> stat(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        try {
            // the command name may hold any bytes: read them as Latin-1, which never fails
            return parseStat(new String(
                    Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("stat")), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<Stat> parseStat(String line) {
        // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
        //  cstime priority nice threads itrealvalue starttime ..."; comm may hold spaces and parentheses
        int open = line.indexOf(" (");
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 > line.length()) {
            return Optional.empty();
        }
        String[] f = line.substring(close + 2).trim().split(" +");
        if (f.length < 20 || f[0].isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Stat(
                    Long.parseLong(line.substring(0, open).trim()),
                    f[0].charAt(0),
                    Long.parseLong(f[1]),
                    Long.parseLong(f[3]),
                    Long.parseLong(f[19])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether the process {@code pid} that started at {@code startTicks} still runs (a zombie does not). */
    static boolean running(long pid, long startTicks) {
        return stat(pid).filter(s -> !s.ended() && s.startTicks() == startTicks).isPresent();
    }

    /** The processes of session {@code sid} that have not ended. */
    static List<Long> sessionMembers(long sid) {
        List<Long> members = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, ProcFs::isPidDir)) {
            for (Path dir : dirs) {
                stat(Long.parseLong(dir.getFileName().toString()))
                        .filter(s -> s.session() == sid && !s.ended())
                        .ifPresent(s -> members.add(s.pid()));
            }
        } catch (IOException | RuntimeException e) {
            // /proc unreadable: nothing to report
        }
        return members;
    }

    /** The argument vector of a process, or empty when it cannot be read (ended, or between two execs). */
    static List<String> cmdline(long pid) {
        try {
            byte[] bytes = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    args.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < bytes.length) {
                args.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
            }
            return args;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The effective user and group IDs of this JVM, from {@code /proc/self/status}. */
    static long[] selfIds() {
        long uid = -1;
        long gid = -1;
        try {
            for (String line :
                    Files.readAllLines(PROC.resolve("self").resolve("status"), StandardCharsets.ISO_8859_1)) {
                // "Uid:\treal\teffective\tsaved\tfs"
                if (line.startsWith("Uid:")) {
                    uid = Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                } else if (line.startsWith("Gid:")) {
                    gid = Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return new long[] {uid, gid};
    }

    private static boolean isPidDir(Path path) {
        String name = path.getFileName().toString();
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
