package io.skep.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's {@code text/tabwriter} (elastic tabstops) for the one configuration the docker CLI uses: left aligned,
 * space padded, no flags. Cells are tab-terminated; the text after the last tab of a line is not part of a column
 * and is never padded. A column block is a run of consecutive lines that have a cell in that column; each block
 * is as wide as its widest cell plus {@code padding}, and at least {@code minWidth}.
 *
 * <p>Tables use {@code new TabWriter(10, 3)} (docker's {@code tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)}).
 */
final class TabWriter {

    private final int minWidth;
    private final int padding;
    private final List<List<String>> lines = new ArrayList<>();
    private final List<Integer> widths = new ArrayList<>();
    private StringBuilder out;

    TabWriter(int minWidth, int padding) {
        this.minWidth = minWidth;
        this.padding = padding;
    }

    /** Adds text; {@code \t} ends a cell, {@code \n} ends a line. */
    TabWriter write(String text) {
        if (lines.isEmpty()) {
            lines.add(new ArrayList<>(List.of("")));
        }
        StringBuilder cell = new StringBuilder(last());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\t') {
                setLast(cell.toString());
                lines.getLast().add("");
                cell.setLength(0);
            } else if (c == '\n') {
                setLast(cell.toString());
                lines.add(new ArrayList<>(List.of("")));
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        setLast(cell.toString());
        return this;
    }

    /** Adds one line made of {@code cells} (tab separated). */
    TabWriter row(List<String> cells) {
        return write(String.join("\t", cells) + "\n");
    }

    private String last() {
        List<String> line = lines.getLast();
        return line.getLast();
    }

    private void setLast(String text) {
        List<String> line = lines.getLast();
        line.set(line.size() - 1, text);
    }

    /** The aligned text. */
    String render() {
        out = new StringBuilder();
        widths.clear();
        format(0, lines.size());
        return out.toString();
    }

    private void format(int line0, int line1) {
        int column = widths.size();
        for (int at = line0; at < line1; at++) {
            if (column >= lines.get(at).size() - 1) {
                continue;
            }
            writeLines(line0, at);
            line0 = at;
            int width = minWidth;
            for (; at < line1; at++) {
                List<String> line = lines.get(at);
                if (column >= line.size() - 1) {
                    break;
                }
                width = Math.max(width, displayWidth(line.get(column)) + padding);
            }
            widths.add(width);
            format(line0, at);
            widths.removeLast();
            line0 = at;
        }
        writeLines(line0, line1);
    }

    private void writeLines(int line0, int line1) {
        for (int i = line0; i < line1; i++) {
            List<String> line = lines.get(i);
            for (int j = 0; j < line.size(); j++) {
                String cell = line.get(j);
                out.append(cell);
                if (j < widths.size()) {
                    out.append(" ".repeat(Math.max(0, widths.get(j) - displayWidth(cell))));
                }
            }
            if (i + 1 < lines.size()) {
                out.append('\n');
            }
        }
    }

    /** Width in terminal columns: code points, East Asian wide characters counting two. */
    static int displayWidth(String s) {
        int width = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            width += isWide(cp) ? 2 : 1;
            i += Character.charCount(cp);
        }
        return width;
    }

    private static boolean isWide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F)
                || (cp >= 0x2E80 && cp <= 0xA4CF)
                || (cp >= 0xAC00 && cp <= 0xD7A3)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60)
                || (cp >= 0xFFE0 && cp <= 0xFFE6)
                || (cp >= 0x1F300 && cp <= 0x1F64F)
                || (cp >= 0x20000 && cp <= 0x3FFFD);
    }
}
