package io.skep.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A successful (2xx) answer of the daemon.
 *
 * @param status  the HTTP status code
 * @param body    the parsed JSON body, or {@code null} when the body was empty; a body that is not JSON is
 *                returned as a text node
 * @param headers the response headers, names in lower case
 */
public record DaemonResponse(int status, JsonNode body, Map<String, String> headers) {

    public DaemonResponse {
        headers = Map.copyOf(headers);
    }

    /** The value of a response header, or {@code null}. */
    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
