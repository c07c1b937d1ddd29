package io.skep.core.store;

/**
 * A stored object changed outside the store: a reader broke the copy-before-change rule ({@link ChangeGuard}). The
 * store stops taking entries, as what it holds is no longer what the log built.
 */
public final class StoredObjectChanged extends IllegalStateException {
    StoredObjectChanged(String message) {
        super(message);
    }
}
