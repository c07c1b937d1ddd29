package io.skep.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Locale;

/** The small text helpers of the docker CLI (formatter/displayutils, go-units, stringid, sortorder). */
final class Text {

    /** Go's zero {@code time.Time}, what a missing timestamp decodes to. */
    static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    /** Natural order: runs of digits compare by value ({@code web-2 < web-10}). */
    static final Comparator<String> NATURAL = Text::naturalCompare;

    private Text() {}

    /** The first 12 characters of an ID (docker's {@code stringid.TruncateID}), after any {@code algo:} prefix. */
    static String truncateId(String id) {
        int colon = id.indexOf(':');
        if (colon >= 0) {
            id = id.substring(colon + 1);
        }
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** Upper-cases the first letter and lower-cases the rest (docker's {@code formatter.PrettyPrint}). */
    static String prettyPrint(String s) {
        if (s == null) {
            return "None";
        }
        return switch (s.length()) {
            case 0 -> s;
            case 1 -> s.toLowerCase(Locale.ROOT);
            default ->
                s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
        };
    }

    /** Cuts a string to {@code max} characters, ending in an ellipsis (docker's {@code formatter.Ellipsis}). */
    static String ellipsis(String s, int max) {
        if (max <= 0) {
            return "";
        }
        int count = s.codePointCount(0, s.length());
        if (count <= max) {
            return s;
        }
        if (max == 1) {
            return s.substring(0, s.offsetByCodePoints(0, 1));
        }
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
    }

    /** go-units {@code HumanDuration}: "Less than a second", "7 seconds", "About a minute", "3 hours", ... */
    static String humanDuration(Duration d) {
        // Go's time.Duration saturates at about 292 years.
        long seconds = d.getSeconds();
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = seconds / 60;
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        double exactHours = seconds / 3600.0;
        long hours = (long) (exactHours + 0.5);
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return (long) exactHours / 24 / 365 + " years";
    }

    /** The time since {@code then}, saturated the way Go's {@code time.Since} is. */
    static Duration since(Instant then, Instant now) {
        try {
            Duration d = Duration.between(then, now);
            Duration max = Duration.ofNanos(Long.MAX_VALUE);
            return d.compareTo(max) > 0 ? max : d;
        } catch (ArithmeticException e) {
            return Duration.ofNanos(Long.MAX_VALUE);
        }
    }

    /** go-units {@code BytesSize}: {@code 1.953GiB}, {@code 512MiB}, {@code 10B}. */
    static String bytesSize(double size) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
        int i = 0;
        while (size >= 1024 && i < units.length - 1) {
            size /= 1024;
            i++;
        }
        return formatG4(size) + units[i];
    }

    /** Go's {@code %.4g} for values below 10000: four significant digits, trailing zeros dropped. */
    static String formatG4(double v) {
        if (v == 0) {
            return "0";
        }
        BigDecimal bd = new BigDecimal(v)
                .round(new MathContext(4, RoundingMode.HALF_EVEN))
                .stripTrailingZeros();
        if (bd.scale() < 0) {
            bd = bd.setScale(0, RoundingMode.UNNECESSARY);
        }
        return bd.toPlainString();
    }

    /** Parses an RFC 3339 timestamp; a missing or unreadable one is Go's zero time. */
    static Instant parseTime(String s) {
        if (s == null || s.isEmpty()) {
            return GO_ZERO_TIME;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e2) {
                return GO_ZERO_TIME;
            }
        }
    }

    /** Go's {@code time.Time.String()} in UTC: {@code 2009-11-10 23:00:00.5 +0000 UTC}. */
    static String goTimeString(Instant t) {
        OffsetDateTime odt = t.atOffset(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(
                DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").format(odt));
        if (odt.getNano() != 0) {
            String frac = String.format(Locale.ROOT, "%09d", odt.getNano()).replaceAll("0+$", "");
            sb.append('.').append(frac);
        }
        return sb.append(" +0000 UTC").toString();
    }

    /** Natural string order, as {@code github.com/fvbommel/sortorder.NaturalLess}. */
    static int naturalCompare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            boolean da = Character.isDigit(ca);
            boolean db = Character.isDigit(cb);
            if (da && db) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                if (na.length() != nb.length()) {
                    return Integer.compare(na.length(), nb.length());
                }
                int c = na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
                int za = (i - si);
                int zb = (j - sj);
                if (za != zb) {
                    return Integer.compare(za, zb);
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
