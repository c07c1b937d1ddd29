package io.skep.api.model;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A wire object that keeps the fields skep does not model, so that specs written by the docker CLI
 * (which sends e.g. {@code Init}, {@code DNSConfig}, {@code Privileges}) are stored and returned intact.
 */
public abstract class Extensible {

    @JsonIgnore
    private final Map<String, Object> other = new LinkedHashMap<>();

    @JsonAnyGetter
    public Map<String, Object> other() {
        return other;
    }

    @JsonAnySetter
    public void other(String name, Object value) {
        other.put(name, value);
    }
}
