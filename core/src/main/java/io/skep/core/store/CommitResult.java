package io.skep.core.store;

/**
 * The outcome of one batch: applied at a log index, or refused whole because of a conflict.
 *
 * @param conflict why the batch was refused, or null when it was applied
 */
public record CommitResult(long index, String conflict) {

    public boolean applied() {
        return conflict == null;
    }
}
