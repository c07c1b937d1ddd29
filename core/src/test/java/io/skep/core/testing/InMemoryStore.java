package io.skep.core.testing;

import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.MemoryStore;

/**
 * The store without Raft, for tests of one reconciler's passes: a batch is encoded, decoded and applied at the
 * next index, as the Raft state machine would (the Raft log under it is exercised by RaftStoreTest). Listeners
 * of the memory store get their events as usual.
 */
public final class InMemoryStore implements StoreWriter {
    private final MemoryStore memory = new MemoryStore();
    private long index;

    /** Hands the store's events to a loop, as the manager does, so that it knows what changed between passes. */
    public <L extends ReconcileLoop> L watchedBy(L loop) {
        memory.subscribe(loop::onEvents);
        return loop;
    }

    @Override
    public MemoryStore memory() {
        return memory;
    }

    @Override
    public synchronized CommitResult commit(Batch batch) {
        return batch.isEmpty() ? new CommitResult(index, null) : memory.apply(Batch.decode(batch.encode()), ++index);
    }
}
