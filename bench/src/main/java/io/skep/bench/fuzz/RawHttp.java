package io.skep.bench.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP/1.1 as bytes on a socket: the fuzzer writes whatever it made, and reads what comes back, answer by answer, or
 * sees the connection end, or waits in vain.
 */
final class RawHttp {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    /** No answer: the server closed the connection (or the TLS handshake failed). */
    static final int CLOSED = -1;
    /** No answer and no close within the timeout: the server neither answered nor gave up. */
    static final int HUNG = -2;
    /** Nobody listens any more: the node is gone. */
    static final int REFUSED = -3;

    /** One answer: its status and its message ({@code {"message": ...}}), if any. */
    record Answer(int status, String body) {
        String message() {
            try {
                com.fasterxml.jackson.databind.JsonNode m = JSON.readTree(body).path("message");
                if (m.isTextual()) {
                    return m.asText();
                }
            } catch (IOException notJson) {
                // the body as it is
            }
            return body.length() > 300 ? body.substring(0, 300) + "…" : body;
        }
    }

    private RawHttp() {}

    /**
     * A request's bytes: the target's {@code Host} (a loopback listener of the control API refuses any other: DNS
     * rebinding), the body's length, and {@code Connection: close} unless kept alive.
     */
    static byte[] request(
            Target target, String method, String path, Map<String, String> headers, byte[] body, boolean keepAlive) {
        StringBuilder b = new StringBuilder(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(target.hostHeader())
                .append("\r\n");
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (body != null) {
            all.putIfAbsent("Content-Type", "application/json");
            all.putIfAbsent("Content-Length", Integer.toString(body.length));
        }
        if (!keepAlive) {
            all.putIfAbsent("Connection", "close");
        }
        all.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        b.append("\r\n");
        byte[] head = b.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return head;
        }
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /**
     * Sends {@code bytes} on a new connection and reads up to {@code answers} answers; fewer when the server closes
     * first, and then the list ends with {@link #CLOSED} (or {@link #HUNG}, {@link #REFUSED}).
     */
    static List<Answer> exchange(Target target, byte[] bytes, int answers, Duration timeout) {
        List<Answer> out = new ArrayList<>();
        try (Socket s = target.open(timeout)) {
            try {
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
            } catch (IOException resetWhileSending) {
                // the server refused part way (a body over its cap): its answer may be there to read
            }
            InputStream in = s.getInputStream();
            while (out.size() < answers) {
                Answer a = read(in);
                if (a == null) {
                    out.add(new Answer(CLOSED, ""));
                    break;
                }
                out.add(a);
            }
        } catch (ConnectException e) {
            out.add(new Answer(REFUSED, e.toString()));
        } catch (SocketTimeoutException e) {
            out.add(new Answer(HUNG, "no answer within " + timeout));
        } catch (IOException e) {
            out.add(new Answer(CLOSED, e.toString()));
        }
        return out;
    }

    /** One answer, or null when the connection ended before its status line. */
    static Answer read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null || status.isEmpty()) {
            return null;
        }
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP answer: " + status);
        }
        long length = -1;
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon > 0 && h.substring(0, colon).strip().equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(h.substring(colon + 1).strip());
            }
        }
        byte[] body = length < 0 ? in.readAllBytes() : in.readNBytes((int) Math.min(length, 1 << 20));
        if (length > body.length) {
            in.skipNBytes(length - body.length);
        }
        return new Answer(Integer.parseInt(parts[1]), new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
