package io.skep.core.reconcile;

import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.MemoryStore;
import java.io.IOException;

/** What reconcilers and the API need of the store: reads, and a blocking commit of a batch. */
public interface StoreWriter {

    MemoryStore memory();

    /** Commits a batch and waits for it to be applied; an empty batch commits nothing. */
    CommitResult commit(Batch batch) throws IOException;
}
