package io.skep.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a request target: a path whose variable segments are percent-encoded, plus URL-encoded query parameters.
 *
 * <pre>{@code
 * ApiPath.of("/services/{}/update", service.id()).query("version", 12)           // /services/abc/update?version=12
 * ApiPath.of("/tasks").filters(Filters.of("service", id))                      // /tasks?filters=%7B%22service%22...
 * }</pre>
 */
public final class ApiPath {

    private final String path;
    private final List<String[]> query = new ArrayList<>();

    private ApiPath(String path) {
        this.path = path;
    }

    /**
     * A path from a template: each {@code {}} is replaced by the next segment, percent-encoded (so a name typed by
     * the user can never add a path level or a query).
     */
    public static ApiPath of(String template, Object... segments) {
        StringBuilder sb = new StringBuilder();
        int next = 0;
        int i = 0;
        while (i < template.length()) {
            int at = template.indexOf("{}", i);
            if (at < 0) {
                sb.append(template, i, template.length());
                break;
            }
            sb.append(template, i, at);
            if (next >= segments.length) {
                throw new IllegalArgumentException("too few segments for " + template);
            }
            sb.append(encodeSegment(String.valueOf(segments[next++])));
            i = at + 2;
        }
        if (next != segments.length) {
            throw new IllegalArgumentException("too many segments for " + template);
        }
        return new ApiPath(sb.toString());
    }

    /** Adds {@code name=value}; a {@code null} value adds nothing. */
    public ApiPath query(String name, Object value) {
        if (value != null) {
            query.add(new String[] {name, String.valueOf(value)});
        }
        return this;
    }

    /** Adds {@code filters=<json>} unless the filters are {@code null} or empty. */
    public ApiPath filters(Filters filters) {
        if (filters != null && !filters.isEmpty()) {
            query("filters", filters.toJson());
        }
        return this;
    }

    @Override
    public String toString() {
        if (query.isEmpty()) {
            return path;
        }
        StringBuilder sb = new StringBuilder(path);
        char sep = '?';
        for (String[] kv : query) {
            sb.append(sep).append(encodeQuery(kv[0])).append('=').append(encodeQuery(kv[1]));
            sep = '&';
        }
        return sb.toString();
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters. */
    public static String encodeSegment(String segment) {
        StringBuilder sb = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** Form encoding of a query name or value, as Go's {@code url.QueryEscape}. */
    public static String encodeQuery(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
