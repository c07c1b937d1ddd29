package io.skep.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.api.model.Json;
import io.skep.api.model.StoredObject;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Proof that nothing changes a stored object in place. Readers share the store's objects (a copy per read would
 * cost the scheduler and the dispatcher most of their time), so the rule "copy before you modify" is checked
 * instead: the guard keeps each stored object's JSON as it was stored and, before each entry is applied and
 * each snapshot is taken, compares every object with it. A change is a bug in the reader that made it: the guard
 * names the object and the field, and the store refuses to go on. It costs a serialization of the whole store
 * per write, so it is on in the test suites ({@value #PROPERTY}) and off in production.
 */
final class ChangeGuard {
    /** The system property that turns the guard on in every store of the JVM. */
    static final String PROPERTY = "skep.store.guard";

    private final Map<StoredObject, byte[]> stored = new IdentityHashMap<>();

    static ChangeGuard fromSystemProperty() {
        return Boolean.getBoolean(PROPERTY) ? new ChangeGuard() : null;
    }

    void stored(StoredObject object) {
        stored.put(object, Json.bytes(object));
    }

    void removed(StoredObject object) {
        stored.remove(object);
    }

    void clear() {
        stored.clear();
    }

    /** Throws if any stored object differs from what was stored. */
    void check() {
        for (Map.Entry<StoredObject, byte[]> e : stored.entrySet()) {
            byte[] now = Json.bytes(e.getKey());
            if (!Arrays.equals(now, e.getValue())) {
                StoredObject o = e.getKey();
                throw new StoredObjectChanged(o.getClass().getSimpleName() + " " + o.id
                        + " was changed in place after it was stored (a reader must copy it before changing it): "
                        + firstDifference("", tree(now), tree(e.getValue())));
            }
        }
    }

    private static JsonNode tree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where two JSON trees first differ, as a path and both values. */
    private static String firstDifference(String path, JsonNode now, JsonNode was) {
        if (now.isObject() && was.isObject()) {
            for (Iterator<String> names = was.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!now.has(name)) {
                    return path + "/" + name + " removed (was " + was.get(name) + ")";
                }
                if (!now.get(name).equals(was.get(name))) {
                    return firstDifference(path + "/" + name, now.get(name), was.get(name));
                }
            }
            for (Iterator<String> names = now.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!was.has(name)) {
                    return path + "/" + name + " added (" + now.get(name) + ")";
                }
            }
        }
        if (now.isArray() && was.isArray() && now.size() == was.size()) {
            for (int i = 0; i < now.size(); i++) {
                if (!now.get(i).equals(was.get(i))) {
                    return firstDifference(path + "/" + i, now.get(i), was.get(i));
                }
            }
        }
        return (path.isEmpty() ? "/" : path) + " is " + now + ", was " + was;
    }
}
