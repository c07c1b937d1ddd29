package io.skep.core.manager;

import io.skep.core.allocator.Allocator;
import io.skep.core.ca.CertificateAuthority;
import io.skep.core.dispatcher.Dispatcher;
import io.skep.core.orchestrator.GlobalOrchestrator;
import io.skep.core.orchestrator.ReplicatedOrchestrator;
import io.skep.core.orchestrator.RestartSupervisor;
import io.skep.core.orchestrator.TaskReaper;
import io.skep.core.plugins.PluginRegistry;
import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.reconcile.Ticker;
import io.skep.core.scheduler.Scheduler;
import io.skep.core.scheduler.Strategies;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.MemoryStore;
import io.skep.core.store.RaftStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A manager: a member of the replicated store and, while it leads, the control loops that write to it
 * (orchestrators, allocator, scheduler, reaper, dispatcher, manager status). Leadership comes and goes with Raft:
 * each time this member becomes leader it starts a fresh set of loops, and it closes them when another leads.
 */
public final class Manager implements StoreWriter, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Manager.class);
    /** Changes per Raft entry: large passes (thousands of tasks) are cut into entries of this size. */
    public static final int MAX_CHANGES_PER_ENTRY = 500;
    /**
     * Bytes per Raft entry (swarmkit's bound on a transaction, 1.5 MiB): however big a write, no entry that every
     * manager must hold, send and apply at once is larger.
     */
    public static final int MAX_ENTRY_BYTES = 1536 * 1024;

    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);

    private final RaftStore raft;
    private final PluginRegistry plugins;
    /** What the dispatcher times heartbeats with. */
    private final Ticker ticker;

    private final CertificateAuthority ca;
    /** Starts and stops terms one at a time, off Raft's threads. */
    private final ExecutorService leadership = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("skep-leadership").factory());

    private final List<Runnable> leadershipListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> membersListeners = new CopyOnWriteArrayList<>();
    private volatile Term term;
    private volatile boolean closed;

    /** The control loops of one leadership. */
    private final class Term {
        final Dispatcher dispatcher = new Dispatcher(asLeader, ticker);
        final List<ReconcileLoop> loops;
        Runnable unsubscribe = () -> {};

        Term() {
            RestartSupervisor restarts = new RestartSupervisor();
            Strategies strategies = new Strategies(plugins.schedulers());
            loops = List.of(
                    new ReplicatedOrchestrator(asLeader, restarts, strategies),
                    new GlobalOrchestrator(asLeader, restarts),
                    new Allocator(asLeader),
                    new Scheduler(asLeader, strategies, plugins.filters()),
                    new TaskReaper(asLeader),
                    new ManagerStatusLoop(asLeader, raft),
                    new io.skep.core.ca.RootRotationLoop(asLeader),
                    dispatcher);
        }

        void start() {
            unsubscribe = raft.memory().subscribe(events -> loops.forEach(l -> l.onEvents(events)));
            loops.forEach(ReconcileLoop::start);
        }

        void close() {
            unsubscribe.run();
            loops.forEach(ReconcileLoop::close);
        }
    }

    public Manager(RaftStore raft, PluginRegistry plugins) {
        this(raft, plugins, Ticker.SYSTEM);
    }

    public Manager(RaftStore raft, PluginRegistry plugins, Ticker ticker) {
        this.raft = raft;
        this.plugins = plugins;
        this.ticker = ticker;
        this.ca = new CertificateAuthority(this, raft.groupId());
    }

    /** Follows the group's leadership from now on: loops run while this member leads. */
    public void start() {
        raft.addListener(new RaftStore.Listener() {
            @Override
            public void leading() {
                run(Manager.this::lead);
            }

            @Override
            public void following() {
                run(Manager.this::follow);
            }

            @Override
            public void membersChanged() {
                run(() -> membersListeners.forEach(Runnable::run));
            }
        });
        try {
            if (raft.isLeader()) {
                run(this::lead); // it led before the listener was there
            }
        } catch (IOException e) {
            LOG.warn("cannot read this member's Raft role: {}", e.toString());
        }
    }

    private void run(Runnable step) {
        try {
            leadership.execute(step);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the manager is closing
        }
    }

    private void lead() {
        if (term != null || closed) {
            return;
        }
        Term t = new Term();
        t.start();
        term = t;
        LOG.info("this manager leads the swarm");
        leadershipListeners.forEach(Runnable::run);
    }

    private void follow() {
        Term t = term;
        if (t == null) {
            return;
        }
        term = null;
        t.close();
        LOG.info("this manager no longer leads the swarm (leader: {})", raft.leaderId());
        leadershipListeners.forEach(Runnable::run);
    }

    /** Waits until this member leads and its loops run (swarm init: the only member). */
    public void awaitLeading(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (term == null) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("this manager did not become leader within " + timeout);
            }
            Thread.sleep(10); // leadership comes on Raft's thread; polling the flag it sets
        }
    }

    /** Called (on the leadership thread) whenever this member starts or stops leading. */
    public void onLeadershipChange(Runnable listener) {
        leadershipListeners.add(listener);
    }

    /** Called (on the leadership thread) whenever the group's members change. */
    public void onMembersChange(Runnable listener) {
        membersListeners.add(listener);
    }

    public boolean isLeading() {
        return term != null;
    }

    /** The dispatcher of this member's leadership, or null while another member leads. */
    public Dispatcher dispatcher() {
        Term t = term;
        return t == null ? null : t.dispatcher;
    }

    public RaftStore raft() {
        return raft;
    }

    /** The swarm's CA: admits joining nodes and signs their certificates. */
    public CertificateAuthority certificateAuthority() {
        return ca;
    }

    @Override
    public MemoryStore memory() {
        return raft.memory();
    }

    /** How long a read on a follower waits to catch up with the leader before it reads the copy as it is. */
    private static final Duration READ_CATCH_UP = Duration.ofSeconds(2);

    /**
     * Brings this manager's copy of the store up to every write acknowledged anywhere, before a read of the control
     * API: Swarm's managers send reads to the leader, so a client that wrote through one manager and reads through
     * another sees its write (the docker CLI reads a version and updates from it). Without a leader the copy is read
     * as it is.
     */
    public void catchUp() {
        raft.catchUp(READ_CATCH_UP);
    }

    /**
     * Commits a batch (forwarded to the leader when this member follows), cut into entries of at most
     * {@link #MAX_CHANGES_PER_ENTRY} changes and {@link #MAX_ENTRY_BYTES} bytes. Without a leader that has a majority
     * it fails with {@link io.skep.core.store.NoQuorumException}; one object too large for an entry is an
     * {@link io.skep.core.store.EntryTooLargeException}.
     */
    @Override
    public CommitResult commit(Batch batch) throws IOException {
        return commit(batch, false);
    }

    /**
     * What a term's control loops and dispatcher write through: {@link #commit}, but never sent on to another leader
     * ({@link RaftStore#commitAsLeader}): a loop of a leadership that ended must not write on top of the new one's.
     */
    private final StoreWriter asLeader = new StoreWriter() {
        @Override
        public MemoryStore memory() {
            return raft.memory();
        }

        @Override
        public CommitResult commit(Batch batch) throws IOException {
            return Manager.this.commit(batch, true);
        }
    };

    private CommitResult commit(Batch batch, boolean asLeader) throws IOException {
        if (batch.isEmpty()) {
            return new CommitResult(raft.memory().lastIndex(), null);
        }
        CommitResult last = null;
        for (byte[] entry : batch.entries(MAX_CHANGES_PER_ENTRY, MAX_ENTRY_BYTES)) {
            last = asLeader ? raft.commitAsLeader(entry, COMMIT_TIMEOUT) : raft.commit(entry, COMMIT_TIMEOUT);
            if (!last.applied()) {
                break;
            }
        }
        // Read your writes: a write sent on to the leader is answered once this member's copy has it too.
        try {
            if (!raft.memory().awaitApplied(last.index(), COMMIT_TIMEOUT)) {
                LOG.warn("a committed write (log index {}) is not applied here after {}", last.index(), COMMIT_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return last;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        leadership.shutdown();
        try {
            leadership.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Term t = term;
        term = null;
        if (t != null) {
            t.close();
        }
        raft.close();
    }
}
