package io.skep.core.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.skep.api.model.Json;
import io.skep.core.tls.PeerIdentity;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One API call: method, path (without the {@code /v1.NN} prefix), query, path parameters, body, the node at the
 * other end when the call came over mutual TLS (null otherwise), and the end of its connection (completes when the
 * connection closes, for whatever reason).
 */
public record ApiRequest(
        String method,
        String path,
        Map<String, List<String>> query,
        Map<String, String> pathParams,
        byte[] body,
        PeerIdentity peer,
        java.util.concurrent.CompletionStage<Void> connectionClosed) {

    public String param(String name) {
        return pathParams.get(name);
    }

    /** The last value of a query parameter, or null. */
    public String query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
    }

    /** A boolean query flag as Docker reads them: 1, true, or present with no value. */
    public boolean flag(String name) {
        String value = query(name);
        if (value == null) {
            return false;
        }
        return value.isEmpty() || value.equals("1") || value.equalsIgnoreCase("true");
    }

    /**
     * The body as {@code type}. Malformed JSON, a field of the wrong type or a body that is JSON's {@code null} is a 400
     * that names the field.
     */
    public <T> T body(Class<T> type, String what) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("missing request body: expected a " + what);
        }
        T value;
        try {
            value = Json.MAPPER.readValue(body, type);
        } catch (MismatchedInputException e) {
            throw ApiException.badRequest(
                    "invalid " + what + ": field " + fieldPath(e) + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid JSON in the " + what + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("unreadable " + what + ": " + e.getMessage());
        }
        if (value == null || (value instanceof JsonNode n && (n.isMissingNode() || n.isNull()))) {
            throw ApiException.badRequest("invalid " + what + ": expected a JSON value, got null");
        }
        return value;
    }

    private static String fieldPath(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        return path.replace(".[", "[");
    }
}
