package io.skep.runtime.docker;

import io.skep.spi.runtime.TaskExit;
import java.util.Locale;
import java.util.Optional;

/**
 * Linux signal names as Docker reads them ({@code SIGTERM}, {@code TERM}, {@code 15}, {@code SIGRTMIN+3}), and the
 * account of a container's exit code.
 */
final class Signals {

    private static final String[] NAMES = {
        null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "IO", "PWR", "SYS"
    };
    private static final int RTMIN = 34;
    private static final int RTMAX = 64;

    static final String TERM = "SIGTERM";
    static final String KILL = "SIGKILL";

    private Signals() {}

    /**
     * The signal number of {@code spec} as the engine reads it (its {@code signal.ParseSignal}), or empty when it
     * names no signal.
     */
    static Optional<Integer> parse(String spec) {
        if (spec == null) {
            return Optional.empty();
        }
        String s = spec.trim().toUpperCase(Locale.ROOT);
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            if (s.length() > 2) {
                return Optional.empty();
            }
            int n = Integer.parseInt(s);
            return n >= 1 && n <= RTMAX ? Optional.of(n) : Optional.empty();
        }
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        switch (s) {
            case "IOT" -> s = "ABRT";
            case "POLL" -> s = "IO";
            case "CLD" -> s = "CHLD";
            default -> {}
        }
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(s)) {
                return Optional.of(i);
            }
        }
        if (s.equals("RTMIN")) {
            return Optional.of(RTMIN);
        }
        if (s.equals("RTMAX")) {
            return Optional.of(RTMAX);
        }
        try {
            if (s.startsWith("RTMIN+")) {
                int n = RTMIN + Integer.parseInt(s.substring(6));
                return n > RTMIN && n <= RTMAX ? Optional.of(n) : Optional.empty();
            }
            if (s.startsWith("RTMAX-")) {
                int n = RTMAX - Integer.parseInt(s.substring(6));
                return n >= RTMIN && n < RTMAX ? Optional.of(n) : Optional.empty();
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** {@code SIGTERM}, {@code SIGRTMIN+2}, or the number where there is no name. */
    static String display(int number) {
        if (number > 0 && number < NAMES.length) {
            return "SIG" + NAMES[number];
        }
        if (number >= RTMIN && number <= RTMAX) {
            return number == RTMIN ? "SIGRTMIN" : "SIGRTMIN+" + (number - RTMIN);
        }
        return "signal " + number;
    }

    /**
     * How a container ended, from its exit code and the engine's account: a code above 128 is the container's
     * main process killed by signal {@code code - 128}, as a shell reports it.
     */
    static TaskExit exitOf(long code, boolean oomKilled, String error) {
        int exitCode = code < Integer.MIN_VALUE || code > Integer.MAX_VALUE ? TaskExit.UNKNOWN : (int) code;
        String message;
        if (oomKilled) {
            message = "killed: out of memory (exit status " + exitCode + ")";
        } else if (exitCode > 128 && exitCode - 128 <= RTMAX) {
            message = "killed by " + display(exitCode - 128) + " (exit status " + exitCode + ")";
        } else {
            message = "exit status " + exitCode;
        }
        if (error != null && !error.isBlank()) {
            message = message + ": " + error.strip();
        }
        return new TaskExit(exitCode, message);
    }
}
