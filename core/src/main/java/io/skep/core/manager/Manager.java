package io.skep.core.manager;

import io.skep.core.allocator.Allocator;
import io.skep.core.ca.CertificateAuthority;
import io.skep.core.dispatcher.Dispatcher;
import io.skep.core.orchestrator.GlobalOrchestrator;
import io.skep.core.orchestrator.ReplicatedOrchestrator;
import io.skep.core.orchestrator.RestartSupervisor;
import io.skep.core.orchestrator.TaskReaper;
import io.skep.core.plugins.PluginRegistry;
import io.skep.core.scheduler.Scheduler;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.MemoryStore;
import io.skep.core.store.RaftStore;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * A manager: the replicated store and, while this node leads, the control loops that write to it
 * (orchestrators, allocator, scheduler, reaper, dispatcher).
 */
public final class Manager implements StoreWriter, AutoCloseable {
    /** Changes per Raft entry: large passes (thousands of tasks) are cut into entries of this size. */
    private static final int MAX_CHANGES_PER_ENTRY = 500;
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);

    private final RaftStore raft;
    private final List<ReconcileLoop> loops;
    private final Dispatcher dispatcher;
    private final CertificateAuthority ca = new CertificateAuthority(this);
    private Runnable unsubscribe = () -> { };

    public Manager(RaftStore raft, PluginRegistry plugins) {
        this.raft = raft;
        RestartSupervisor restarts = new RestartSupervisor();
        this.dispatcher = new Dispatcher(this);
        this.loops = List.of(
                new ReplicatedOrchestrator(this, restarts),
                new GlobalOrchestrator(this, restarts),
                new Allocator(this),
                new Scheduler(this, plugins.schedulers()),
                new TaskReaper(this),
                dispatcher);
    }

    /** Waits for leadership, then starts the control loops. */
    public void start(Duration timeout) throws IOException, InterruptedException, TimeoutException {
        raft.awaitLeader(timeout);
        unsubscribe = raft.memory().subscribe(events -> loops.forEach(l -> l.onEvents(events)));
        loops.forEach(ReconcileLoop::start);
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** The swarm's CA: admits joining nodes and signs their certificates. */
    public CertificateAuthority certificateAuthority() {
        return ca;
    }

    @Override
    public MemoryStore memory() {
        return raft.memory();
    }

    @Override
    public CommitResult commit(Batch batch) throws IOException {
        if (batch.isEmpty()) {
            return new CommitResult(raft.memory().lastIndex(), null);
        }
        CommitResult last = null;
        for (Batch part : batch.split(MAX_CHANGES_PER_ENTRY)) {
            last = raft.commit(part, COMMIT_TIMEOUT);
            if (!last.applied()) {
                return last;
            }
        }
        return last;
    }

    @Override
    public void close() throws IOException {
        unsubscribe.run();
        loops.forEach(ReconcileLoop::close);
        raft.close();
    }
}
