package io.skep.cli;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shows service progress the way the docker CLI's JSON-message display does.
 *
 * <p>On a terminal each ID ({@code overall progress}, {@code 1/3}, {@code verify}) owns a line that is redrawn in
 * place. Elsewhere every change is one new line, and, as in docker, updates that carry a progress bar (per-task
 * states) are not printed at all; a line identical to the last one printed for its ID is not repeated.
 */
final class ProgressWriter {

    private static final String ERASE_LINE = "\u001b[2K";

    private final PrintStream out;
    private final boolean tty;
    private final int width;
    private final boolean quiet;
    /** Terminal mode: the line of each ID, counted from the first. */
    private final Map<String, Integer> ids = new LinkedHashMap<>();
    /** Plain mode: the last line printed per ID. */
    private final Map<String, String> lastLine = new HashMap<>();

    ProgressWriter(PrintStream out, boolean tty, int width, boolean quiet) {
        this.out = out;
        this.tty = tty;
        this.width = width;
        this.quiet = quiet;
    }

    /** A progress update (docker's {@code Progress{ID, Action, Current, Total, HideCounts: true}}). */
    synchronized void progress(String id, String action, long current, long total) {
        if (quiet) {
            return;
        }
        if (!tty) {
            if (current > 0 || total > 0) {
                return; // docker disables progress bars off a terminal
            }
            String line = id.isEmpty() ? action : id + ": " + action;
            if (!id.isEmpty() && line.equals(lastLine.get(id))) {
                return;
            }
            lastLine.put(id, line);
            out.println(line);
            out.flush();
            return;
        }
        int diff = 0;
        if (!id.isEmpty()) {
            Integer line = ids.get(id);
            if (line == null) {
                line = ids.size();
                ids.put(id, line);
                out.print("\n");
            }
            diff = ids.size() - line;
            cursorUp(diff);
        } else {
            ids.clear();
        }
        out.print(ERASE_LINE + "\r");
        if (!id.isEmpty()) {
            out.print(id + ": ");
        }
        out.print(action + " " + bar(current, total) + "\r");
        if (!id.isEmpty()) {
            cursorDown(diff);
        }
        out.flush();
    }

    /** A plain message (docker's {@code Progress{ID, Message}}): always a line of its own. */
    synchronized void message(String id, String message) {
        if (quiet) {
            return;
        }
        ids.clear();
        String line = id.isEmpty() ? message : id + ": " + message;
        if (!id.isEmpty()) {
            lastLine.put(id, line);
        }
        out.println(line);
        out.flush();
    }

    private void cursorUp(int n) {
        if (n > 0) {
            out.print("\u001b[" + n + "A");
        }
    }

    private void cursorDown(int n) {
        if (n > 0) {
            out.print("\u001b[" + n + "B");
        }
    }

    /** docker's {@code RenderTUIProgress} with hidden counts: a bar only on terminals wider than 110 columns. */
    private String bar(long current, long total) {
        if ((current <= 0 && total <= 0) || total <= 0 || width <= 110) {
            return "";
        }
        int percentage = Math.min(50, (int) ((double) current / total * 100) / 2);
        int spaces = Math.max(50 - percentage, 0);
        return "[" + "=".repeat(percentage) + ">" + " ".repeat(spaces) + "] ";
    }
}
