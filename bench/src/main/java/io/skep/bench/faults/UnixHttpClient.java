package io.skep.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The control API of one daemon over its unix socket: one HTTP/1.1 request per connection, JSON bodies, and a
 * deadline on the whole exchange (a stopped daemon accepts a connection and never answers). The JDK's HttpClient
 * speaks no unix sockets; the core's client retries a request on a fresh connection, which would blur what the
 * harness records: here a request is sent exactly once, and what became of it is what the caller sees.
 *
 * <p>Unix sockets are files, so this works from the root namespace into every node namespace.
 */
final class UnixHttpClient {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The API version the harness speaks (Docker's, as the CLI sends it). */
    private static final String PREFIX = "/v1.41";

    private static final int MAX_BODY = 64 << 20;
    /** Closes the channels of exchanges past their deadline, which fails their blocked reads and writes. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "skep-faults-http-deadlines");
        t.setDaemon(true);
        return t;
    });

    private final Path socket;

    UnixHttpClient(Path socket) {
        this.socket = socket;
    }

    /** A daemon's answer: its status and body. */
    record Response(int status, byte[] body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        JsonNode json() {
            try {
                return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (IOException e) {
                return JSON.getNodeFactory().textNode(text());
            }
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The daemon's error message ({@code {"message": ...}}), or the body as text. */
        String message() {
            JsonNode n = json();
            return n.path("message").isTextual() ? n.path("message").asText() : text().strip();
        }
    }

    /**
     * Sends one request and reads its answer within {@code timeout}.
     *
     * @param body written as JSON, or no body when null
     * @throws SocketTimeoutException when no whole answer came within {@code timeout}
     * @throws IOException            when the daemon cannot be reached or broke the connection
     */
    Response send(String method, String path, Object body, Duration timeout) throws IOException {
        byte[] content = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
        String head = method + " " + PREFIX + path + " HTTP/1.1\r\nHost: skep\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Type: application/json\r\n")
                + "Content-Length: " + content.length + "\r\n\r\n";
        AtomicBoolean late = new AtomicBoolean();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ScheduledFuture<?> deadline = DEADLINES.schedule(
                    () -> {
                        late.set(true);
                        try {
                            channel.close();
                        } catch (IOException ignored) {
                            // the exchange fails on its own
                        }
                    },
                    timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                writeAll(channel, head.getBytes(StandardCharsets.US_ASCII));
                writeAll(channel, content);
                return read(new BufferedInputStream(Channels.newInputStream(channel)));
            } catch (IOException e) {
                if (late.get()) {
                    throw new SocketTimeoutException(
                            method + " " + path + ": no answer within " + timeout.toMillis() + " ms");
                }
                throw e;
            } finally {
                deadline.cancel(false);
            }
        }
    }

    private static void writeAll(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** An HTTP/1.1 response: status line, headers, then a body by length, in chunks, or up to the end. */
    static Response read(InputStream in) throws IOException {
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + status);
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: " + status);
        }
        long length = -1;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).strip();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding")
                    && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (long size = Long.parseLong(line(in).split(";")[0].strip(), 16);
                    size > 0;
                    size = Long.parseLong(line(in).split(";")[0].strip(), 16)) {
                copy(in, body, size);
                line(in);
            }
        } else if (length >= 0) {
            copy(in, body, length);
        } else {
            copy(in, body, -1);
        }
        return new Response(code, body.toByteArray());
    }

    /** Copies {@code n} bytes (or, for -1, everything up to the end of the stream). */
    private static void copy(InputStream in, ByteArrayOutputStream out, long n) throws IOException {
        byte[] buffer = new byte[8192];
        long left = n;
        while (n < 0 || left > 0) {
            int r = in.read(buffer, 0, (int) (n < 0 ? buffer.length : Math.min(buffer.length, left)));
            if (r < 0) {
                if (n < 0) {
                    return;
                }
                throw new EOFException("the answer ended " + left + " bytes early");
            }
            out.write(buffer, 0, r);
            left -= r;
            if (out.size() > MAX_BODY) {
                throw new IOException("an answer larger than " + MAX_BODY + " bytes");
            }
        }
    }

    /** One CRLF-terminated line of the head, without its end. */
    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("the connection closed in the middle of the answer's head");
            }
            if (c != '\r') {
                s.append((char) c);
            }
            if (s.length() > 65536) {
                throw new IOException("an answer's header line longer than 64 KiB");
            }
        }
        return s.toString();
    }
}
