package io.skep.bench;

import java.util.List;

/** Plain-text tables for the drivers' reports. */
public final class TextTable {
    private TextTable() {}

    /** Lines of cells in aligned columns: the first {@code left} left-aligned, the others right-aligned. */
    public static String columns(List<String[]> lines, int left) {
        int[] widths = new int[lines.getFirst().length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : lines) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(String.format("%" + (i < left ? "-" : "") + widths[i] + "s", line[i]));
                if (i < line.length - 1) {
                    text.append("  ");
                }
            }
            out.append(text.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
