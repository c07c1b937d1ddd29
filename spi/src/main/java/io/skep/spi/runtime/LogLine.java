package io.skep.spi.runtime;

import java.time.Instant;
import java.util.Objects;

/**
 * One line a task wrote.
 *
 * @param timestamp when it was written, as the runtime recorded it
 * @param stream    which output it went to
 * @param text      the line, without its line break
 */
public record LogLine(Instant timestamp, Stream stream, String text) {

    /** A task's outputs. */
    public enum Stream {
        STDOUT,
        STDERR
    }

    public LogLine {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(text, "text");
    }
}
