package io.skep.runtime.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.skep.spi.runtime.LogLine;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One read of a container's logs ({@code GET /containers/{id}/logs?timestamps=1}): the engine's frames, each line
 * {@code <RFC 3339 timestamp> <text>}, turned into {@link LogLine}s that a blocking stream hands out in order.
 * Closing the stream ends the request (a follow included).
 */
final class ContainerLogs extends ResultCallback.Adapter<Frame> {

    /** Marks the end of the lines in the queue. */
    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    /** A line cut across frames (the engine splits lines longer than 16 KiB), per stream. */
    private final StringBuilder partialOut = new StringBuilder();

    private final StringBuilder partialErr = new StringBuilder();

    @Override
    public void onNext(Frame frame) {
        if (frame.getPayload() == null) {
            return;
        }
        boolean err = frame.getStreamType() == StreamType.STDERR;
        StringBuilder partial = err ? partialErr : partialOut;
        partial.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            lines.add(parse(partial.substring(0, nl), err));
            partial.delete(0, nl + 1);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        finish();
        super.onError(throwable);
    }

    @Override
    public void onComplete() {
        finish();
        super.onComplete();
    }

    private void finish() {
        if (!partialOut.isEmpty()) {
            lines.add(parse(partialOut.toString(), false));
        }
        if (!partialErr.isEmpty()) {
            lines.add(parse(partialErr.toString(), true));
        }
        lines.add(END);
    }

    private static LogLine parse(String line, boolean err) {
        LogLine.Stream stream = err ? LogLine.Stream.STDERR : LogLine.Stream.STDOUT;
        int space = line.indexOf(' ');
        if (space > 0) {
            try {
                return new LogLine(Instant.parse(line.substring(0, space)), stream, line.substring(space + 1));
            } catch (DateTimeParseException notATimestamp) {
                // the text as it is, stamped now
            }
        }
        return new LogLine(Instant.now(), stream, line);
    }

    /** The lines as they come; reading blocks for the next one, and the stream ends with the request. */
    Stream<LogLine> stream() {
        Spliterator<LogLine> lines = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE, Spliterator.ORDERED) {
            private boolean ended;

            @Override
            public boolean tryAdvance(Consumer<? super LogLine> action) {
                if (ended) {
                    return false;
                }
                Object next;
                try {
                    next = ContainerLogs.this.lines.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    ended = true;
                    return false;
                }
                if (next == END) {
                    ended = true;
                    return false;
                }
                action.accept((LogLine) next);
                return true;
            }
        };
        return StreamSupport.stream(lines, false).onClose(() -> {
            try {
                close();
            } catch (java.io.IOException ignored) {
                // the request is abandoned
            }
            this.lines.add(END);
        });
    }
}
