package io.skep.core.store;

import io.skep.api.model.Kind;
import io.skep.api.model.StoredObject;

/**
 * What a committed change did, delivered to store listeners after it is applied.
 *
 * @param object the object after the change; for a delete, the object as it was
 */
public record StoreEvent(Type type, Kind kind, StoredObject object) {

    public enum Type {
        CREATED,
        UPDATED,
        DELETED
    }
}
