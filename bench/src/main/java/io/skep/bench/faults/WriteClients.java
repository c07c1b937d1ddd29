package io.skep.bench.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The clients: a few threads per manager, each writing through its own manager for the whole run (a follower
 * forwards to the leader). Each round a client picks one of the target services at random and makes a
 * version-checked update of it, or, while the create allowance lasts, creates a new service. Between rounds it
 * waits a little, so that the load stays a control plane's, not a flood.
 *
 * <p>The harness {@link #pause() pauses} them while it checks the swarm (no write in flight), and
 * {@link #resume() resumes} them after.
 */
final class WriteClients implements AutoCloseable {
    private final FaultSwarm swarm;
    private final ServiceWriter writer;
    private final List<String> targets;
    private final int createReplicas;
    private final Duration think;
    private final Semaphore creates = new Semaphore(0);
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong failedReads = new AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean paused;
    private boolean stopped;
    private int busy;

    /**
     * @param targets        the services the updates go to
     * @param createReplicas each created service's replicas
     * @param think          how long a client waits between two writes
     */
    WriteClients(FaultSwarm swarm, ServiceWriter writer, List<String> targets, int createReplicas, Duration think) {
        this.swarm = swarm;
        this.writer = writer;
        this.targets = targets;
        this.createReplicas = createReplicas;
        this.think = think;
    }

    /** Starts {@code perManager} clients on each manager. */
    void start(int perManager) {
        for (ManagerProcess m : swarm.managers()) {
            for (int c = 1; c <= perManager; c++) {
                String name = m.name() + "c" + c;
                Thread t = new Thread(() -> loop(m, name), "skep-faults-client-" + name);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
    }

    /** Lets the clients create {@code n} more services between them. */
    void allowCreates(int n) {
        creates.release(n);
    }

    /** Reads that failed (the write was then not tried): a stopped, killed or cut-off manager. */
    long failedReads() {
        return failedReads.get();
    }

    private void loop(ManagerProcess via, String client) {
        long seq = 0;
        while (enter()) {
            try {
                seq++;
                if (creates.tryAcquire()) {
                    writer.create(via, "c-" + client + "-" + seq, createReplicas);
                } else {
                    String target = targets.get(ThreadLocalRandom.current().nextInt(targets.size()));
                    if (writer.update(via, target, client + "-" + seq) == null) {
                        failedReads.incrementAndGet();
                    }
                }
            } finally {
                leave();
            }
        }
    }

    /** Waits while paused, then counts this client busy; false once stopped. Also the think time between rounds. */
    private boolean enter() {
        lock.lock();
        try {
            long wait = think.toNanos();
            while (!stopped && (paused || wait > 0)) {
                if (paused) {
                    changed.await();
                } else {
                    wait = changed.awaitNanos(wait);
                }
            }
            if (stopped) {
                return false;
            }
            busy++;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void leave() {
        lock.lock();
        try {
            busy--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the clients from starting writes and waits until none is in flight (each has its timeout). */
    void pause() throws InterruptedException {
        lock.lock();
        try {
            paused = true;
            changed.signalAll();
            while (busy > 0) {
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    void resume() {
        lock.lock();
        try {
            paused = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the clients and waits for each to end its write. */
    @Override
    public void close() throws InterruptedException {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(2));
        }
    }
}
