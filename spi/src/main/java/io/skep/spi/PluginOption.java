package io.skep.spi;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting a plugin takes, as {@link Plugin#options()} declares it: users give it as
 * {@code skep daemon --plugin-opt <plugin>.<name>=<value>} or under {@code "plugin-opts"} in daemon.json, and the
 * plugin reads the checked value from its {@link PluginConfig}.
 *
 * @param <T> the value's type
 */
public final class PluginOption<T> {

    /** What kind of value an option takes, and how its text is read. */
    public enum Type {
        /** Any text. */
        STRING,
        /** A whole number. */
        INT,
        /** {@code true} or {@code false}. */
        BOOL,
        /** A Go-style duration as dockerd takes them: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
        DURATION
    }

    private final String name;
    private final Type type;
    private final Class<T> javaType;
    private final T defaultValue;
    private final String description;
    /** The problem with a well-formed value (e.g. out of range), or null. */
    private final Function<T, String> check;

    private PluginOption(
            String name, Type type, Class<T> javaType, T defaultValue, String description, Function<T, String> check) {
        this.name = Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("an option's name is lower case letters, digits and '-': " + name);
        }
        this.type = type;
        this.javaType = javaType;
        this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
        this.description = description == null ? "" : description;
        this.check = check == null ? v -> null : check;
        String problem = this.check.apply(defaultValue);
        if (problem != null) {
            throw new IllegalArgumentException("the default of option " + name + " is invalid: " + problem);
        }
    }

    /** A text option. */
    public static PluginOption<String> string(String name, String defaultValue, String description) {
        return new PluginOption<>(name, Type.STRING, String.class, defaultValue, description, null);
    }

    /** A whole number from {@code min} to {@code max}. */
    public static PluginOption<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        return new PluginOption<>(
                name,
                Type.INT,
                Integer.class,
                defaultValue,
                description,
                v -> v >= min && v <= max ? null : "must be from " + min + " to " + max + ", got " + v);
    }

    /** A boolean. */
    public static PluginOption<Boolean> bool(String name, boolean defaultValue, String description) {
        return new PluginOption<>(name, Type.BOOL, Boolean.class, defaultValue, description, null);
    }

    /** A duration from {@code min} to {@code max}. */
    public static PluginOption<Duration> duration(
            String name, Duration defaultValue, Duration min, Duration max, String description) {
        return new PluginOption<>(
                name,
                Type.DURATION,
                Duration.class,
                defaultValue,
                description,
                v -> v.compareTo(min) >= 0 && v.compareTo(max) <= 0
                        ? null
                        : "must be from " + format(min) + " to " + format(max) + ", got " + format(v));
    }

    /**
     * This option with one more check of well-formed values: {@code problem} answers the reason a value is refused
     * (e.g. {@code "must be a unix:// or tcp:// address"}), or null when it is fine.
     */
    public PluginOption<T> withCheck(Function<T, String> problem) {
        Objects.requireNonNull(problem, "problem");
        Function<T, String> first = check;
        return new PluginOption<>(name, type, javaType, defaultValue, description, v -> {
            String p = first.apply(v);
            return p != null ? p : problem.apply(v);
        });
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** The default as a user would write it. */
    public String defaultText() {
        return text(defaultValue);
    }

    /** {@code value} as a user would write it. */
    public String text(Object value) {
        return value instanceof Duration d ? format(d) : String.valueOf(value);
    }

    /**
     * Reads and checks a value given as text.
     *
     * @throws IllegalArgumentException whose message is the reason, e.g. {@code must be from 1 to 64, got 0}
     */
    public T parse(String text) {
        Objects.requireNonNull(text, "text");
        String value = text.strip();
        T parsed = switch (type) {
            case STRING -> javaType.cast(value);
            case INT -> {
                try {
                    yield javaType.cast(Integer.valueOf(value));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("must be a whole number, got \"" + text + "\"");
                }
            }
            case BOOL -> {
                String lower = value.toLowerCase(Locale.ROOT);
                if (!lower.equals("true") && !lower.equals("false")) {
                    throw new IllegalArgumentException("must be true or false, got \"" + text + "\"");
                }
                yield javaType.cast(Boolean.valueOf(lower));
            }
            case DURATION -> javaType.cast(parseDuration(value, text));
        };
        String problem = check.apply(parsed);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return parsed;
    }

    /** A Go-style duration: a number and a unit (ns, us, ms, s, m, h), or several such as {@code 1m30s}. */
    private static Duration parseDuration(String value, String text) {
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        if (!value.matches("(\\d+(ns|us|µs|ms|s|m|h))+")) {
            throw new IllegalArgumentException("must be a duration such as 500ms, 10s, 2m or 1h, got \"" + text + "\"");
        }
        try {
            Duration total = Duration.ZERO;
            var parts =
                    java.util.regex.Pattern.compile("(\\d+)(ns|us|µs|ms|s|m|h)").matcher(value);
            while (parts.find()) {
                long n = Long.parseLong(parts.group(1));
                total = total.plus(
                        switch (parts.group(2)) {
                            case "ns" -> Duration.ofNanos(n);
                            case "us", "µs" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
                            case "ms" -> Duration.ofMillis(n);
                            case "s" -> Duration.ofSeconds(n);
                            case "m" -> Duration.ofMinutes(n);
                            default -> Duration.ofHours(n);
                        });
            }
            return total;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("is too long a duration: \"" + text + "\"");
        }
    }

    /** As Go prints a duration, in its largest whole unit: {@code 10s}, {@code 2m}, {@code 1500ms}. */
    static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.toNanosPart() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        if (d.toNanosPart() != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.getSeconds();
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    @Override
    public String toString() {
        return name + " (" + type.name().toLowerCase(Locale.ROOT) + ", default " + defaultText() + ")";
    }
}
