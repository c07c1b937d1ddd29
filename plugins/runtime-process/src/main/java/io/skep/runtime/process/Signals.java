package io.skep.runtime.process;

import io.skep.spi.runtime.TaskExit;
import java.util.Locale;
import java.util.Optional;

/**
 * Linux signal names and numbers (the generic numbering of x86, ARM, RISC-V; not that of MIPS, SPARC or Alpha),
 * as Docker users write them: {@code SIGTERM}, {@code TERM}, {@code 15}.
 */
final class Signals {

    private static final String[] NAMES = {
        null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "IO", "PWR", "SYS"
    };

    /** glibc keeps 32 and 33 for itself: programs see SIGRTMIN as 34. */
    private static final int RTMIN = 34;

    private static final int MAX = 64;

    static final Signal TERM = new Signal(15);
    static final Signal KILL = new Signal(9);

    private Signals() {}

    /** A signal by number. */
    record Signal(int number) {

        /** The name {@code kill -s} takes: {@code TERM}, or the number where there is no portable name. */
        String killArgument() {
            return number < NAMES.length ? NAMES[number] : Integer.toString(number);
        }

        /** The name users read (and {@link #parse} reads back): {@code SIGTERM}, {@code SIGRTMIN+2}. */
        String display() {
            if (number < NAMES.length) {
                return "SIG" + NAMES[number];
            }
            if (number >= RTMIN) {
                return number == RTMIN ? "SIGRTMIN" : "SIGRTMIN+" + (number - RTMIN);
            }
            return "SIG" + number; // 32 and 33: parse() reads this back
        }

        @Override
        public String toString() {
            return display();
        }
    }

    /** Parses {@code SIGTERM}, {@code term}, {@code 15}, {@code SIGRTMIN+3}; empty when it names no signal. */
    static Optional<Signal> parse(String spec) {
        if (spec == null) {
            return Optional.empty();
        }
        String s = spec.trim().toUpperCase(Locale.ROOT);
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        if (s.isEmpty()) {
            return Optional.empty();
        }
        if (s.chars().allMatch(Character::isDigit)) {
            if (s.length() > 2) {
                return Optional.empty();
            }
            int n = Integer.parseInt(s);
            return n >= 1 && n <= MAX ? Optional.of(new Signal(n)) : Optional.empty();
        }
        switch (s) {
            case "IOT" -> s = "ABRT";
            case "POLL" -> s = "IO";
            case "CLD" -> s = "CHLD";
            default -> {}
        }
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(s)) {
                return Optional.of(new Signal(i));
            }
        }
        if (s.startsWith("RTMIN")) {
            return offset(s.substring(5), RTMIN, 1);
        }
        if (s.startsWith("RTMAX")) {
            return offset(s.substring(5), MAX, -1);
        }
        return Optional.empty();
    }

    private static Optional<Signal> offset(String rest, int base, int sign) {
        if (rest.isEmpty()) {
            return Optional.of(new Signal(base));
        }
        char op = rest.charAt(0);
        String digits = rest.substring(1);
        if ((sign > 0 ? op != '+' : op != '-')
                || digits.isEmpty()
                || digits.length() > 2
                || !digits.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        int n = base + sign * Integer.parseInt(digits);
        return n >= RTMIN && n <= MAX ? Optional.of(new Signal(n)) : Optional.empty();
    }

    /**
     * How a task ended, from the exit code Java reports: a process killed by signal {@code n} reports
     * {@code 128 + n}, as a shell does (a process that itself exits with such a code reads the same).
     */
    static TaskExit exitOf(int code) {
        if (code > 128 && code - 128 <= MAX) {
            return new TaskExit(code, "killed by " + new Signal(code - 128).display() + " (exit status " + code + ")");
        }
        return new TaskExit(code, "exit status " + code);
    }
}
