package io.skep.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Durations written the Go way ({@code time.ParseDuration} / {@code Duration.String}), as every docker duration
 * flag takes them: {@code 10s}, {@code 1m30s}, {@code 500ms}, {@code 1.5h}, {@code 300us}; units ns, us (µs), ms,
 * s, m, h. The API carries durations as integer nanoseconds.
 */
final class GoDuration {

    private GoDuration() {}

    /**
     * Parses a Go duration into nanoseconds.
     *
     * @throws IllegalArgumentException {@code time: invalid duration "x"} (Go's wording)
     */
    static long parseNanos(String s) {
        String orig = s;
        if (s == null || s.isEmpty()) {
            throw invalid(orig);
        }
        boolean negative = false;
        int i = 0;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        if (s.substring(i).equals("0")) {
            return 0;
        }
        if (i == s.length()) {
            throw invalid(orig);
        }
        BigDecimal total = BigDecimal.ZERO;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(orig);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            long scale = switch (unit) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                case "" -> throw new IllegalArgumentException("time: missing unit in duration \"" + orig + "\"");
                default ->
                    throw new IllegalArgumentException(
                            "time: unknown unit \"" + unit + "\" in duration \"" + orig + "\"");
            };
            BigDecimal value = new BigDecimal(number.startsWith(".") ? "0" + number : number);
            total = total.add(value.multiply(BigDecimal.valueOf(scale)));
        }
        BigDecimal ns = total.setScale(0, RoundingMode.DOWN);
        if (ns.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("time: invalid duration \"" + orig + "\"");
        }
        long value = ns.longValueExact();
        return negative ? -value : value;
    }

    /** Like {@link #parseNanos} but refuses negative values, as docker's duration options do. */
    static long parseNonNegative(String s) {
        long ns = parseNanos(s);
        if (ns < 0) {
            throw new IllegalArgumentException("duration cannot be negative");
        }
        return ns;
    }

    private static IllegalArgumentException invalid(String s) {
        return new IllegalArgumentException("time: invalid duration \"" + s + "\"");
    }

    /** Go's {@code time.Duration.String()}: {@code 1h2m3.5s}, {@code 500ms}, {@code 0s}. */
    static String format(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        boolean negative = nanos < 0;
        BigDecimal d = BigDecimal.valueOf(nanos).abs();
        String body;
        if (d.compareTo(BigDecimal.valueOf(1_000_000_000L)) < 0) {
            long n = d.longValue();
            if (n < 1_000) {
                body = n + "ns";
            } else if (n < 1_000_000) {
                body = fraction(d, 1_000) + "µs";
            } else {
                body = fraction(d, 1_000_000) + "ms";
            }
        } else {
            long total = d.longValue();
            long hours = total / 3_600_000_000_000L;
            long rest = total % 3_600_000_000_000L;
            long minutes = rest / 60_000_000_000L;
            rest = rest % 60_000_000_000L;
            String seconds = fraction(BigDecimal.valueOf(rest), 1_000_000_000L) + "s";
            StringBuilder sb = new StringBuilder();
            if (hours > 0) {
                sb.append(hours).append('h');
            }
            if (hours > 0 || minutes > 0) {
                sb.append(minutes).append('m');
            }
            sb.append(seconds);
            body = sb.toString();
        }
        return negative ? "-" + body : body;
    }

    private static String fraction(BigDecimal value, long unit) {
        BigDecimal v = value.divide(BigDecimal.valueOf(unit)).stripTrailingZeros();
        return v.scale() <= 0 ? v.toBigInteger().toString() : v.toPlainString();
    }
}
