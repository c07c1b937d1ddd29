package io.skep.bench.scale;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a process and the machine use, read from outside the process so that the manager is measured on its own:
 * CPU time ({@link ProcessHandle}), resident memory ({@code /proc/PID/status}), its GC log (written by the JVM
 * itself, {@code -Xlog:gc}, at no cost to read), and the JDK's {@code jcmd} for the heap at the end.
 */
public final class Gauges {
    private static final Pattern GC_LINE =
            Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)(?:\\s+(\\d+(?:\\.\\d+)?)ms)?");
    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final Pattern COMMITTED = Pattern.compile("(?:committed|total) (\\d+)K");

    private Gauges() {}

    /** CPU seconds (user and system) the process has used so far; NaN when this system does not say. */
    static double cpuSeconds(long pid) {
        return ProcessHandle.of(pid)
                .flatMap(h -> h.info().totalCpuDuration())
                .map(d -> d.toNanos() / 1e9)
                .orElse(Double.NaN);
    }

    /** A field of {@code /proc/PID/status} in MB ({@code VmRSS}: resident now, {@code VmHWM}: its peak); NaN if none. */
    public static double statusMb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return Double.NaN;
    }

    /** The machine's CPU time so far, busy and in all, in clock ticks ({@code /proc/stat}). */
    record Ticks(long busy, long total) {
        /** The share of the machine busy from {@code earlier} to this; NaN when unknown. */
        double busySince(Ticks earlier) {
            long total = this.total - earlier.total;
            return total <= 0 ? Double.NaN : (double) (busy - earlier.busy) / total;
        }
    }

    static Ticks machine() {
        try {
            String[] f =
                    Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) { // idle, iowait
                    idle += v;
                }
            }
            return new Ticks(total - idle, total);
        } catch (IOException | RuntimeException e) {
            return new Ticks(0, 0);
        }
    }

    /**
     * The heap as the GC log's pause lines show it ({@code 120M->30M(256M) 3.4ms}): the most used before a pause, the
     * most still used after one (live data and garbage not yet collected), the most committed, and the pauses.
     */
    record Heap(double peakBeforeMb, double peakAfterMb, double peakCommittedMb, int pauses, double pauseMillis) {
        static final Heap NONE = new Heap(Double.NaN, Double.NaN, Double.NaN, 0, 0);
    }

    static Heap gcLog(List<String> lines) {
        double before = Double.NaN;
        double after = Double.NaN;
        double committed = Double.NaN;
        int pauses = 0;
        double millis = 0;
        for (String line : lines) {
            if (!line.contains("Pause")) {
                continue;
            }
            Matcher m = GC_LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            before = max(before, mb(m.group(1), m.group(2)));
            after = max(after, mb(m.group(3), m.group(4)));
            committed = max(committed, mb(m.group(5), m.group(6)));
            pauses++;
            if (m.group(7) != null) {
                millis += Double.parseDouble(m.group(7));
            }
        }
        return pauses == 0 ? Heap.NONE : new Heap(before, after, committed, pauses, millis);
    }

    private static double max(double a, double b) {
        return Double.isNaN(a) ? b : Math.max(a, b);
    }

    private static double mb(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }

    /** Used and committed heap (MB) from {@code jcmd PID GC.heap_info}; NaNs when it says neither. */
    static double[] heapInfo(String text) {
        for (String line : text.lines().toList()) {
            Matcher used = USED.matcher(line);
            Matcher committed = COMMITTED.matcher(line);
            if (line.contains("heap") && used.find() && committed.find()) {
                return new double[] {Long.parseLong(used.group(1)) / 1024.0, Long.parseLong(committed.group(1)) / 1024.0
                };
            }
        }
        return new double[] {Double.NaN, Double.NaN};
    }

    /** The {@code jcmd} of the JDK this driver runs on, if it has one (a JRE or a jlinked runtime may not). */
    static Optional<Path> jcmd() {
        Path p = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    /** Runs {@code jcmd PID command...} and returns what it printed; throws when it fails. */
    static String jcmd(Path jcmd, long pid, String... command) throws IOException, InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", command) + " did not end");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + text.strip());
        }
        return text;
    }
}
