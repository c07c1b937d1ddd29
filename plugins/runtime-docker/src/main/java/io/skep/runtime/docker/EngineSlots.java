package io.skep.runtime.docker;

import io.skep.spi.PluginOption;
import io.skep.spi.runtime.TaskRuntimeException;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * How many containers the runtime starts, stops or removes at once. An engine does these one container at a time
 * per request, and past about ten at once it only gets slower; Docker 20.10 can even deadlock in its network
 * code when dozens of containers exit together (moby/moby#46661), which is what a service removal or a large
 * rolling update would otherwise ask of it. Waits, inspections and listings are not bounded: they are cheap.
 */
final class EngineSlots {

    /** The environment variable that sets the bound. */
    static final String VARIABLE = "SKEP_DOCKER_CONCURRENCY";
    /** The default: the engine's own limit for parallel pulls and about the most one engine does at full speed. */
    static final int DEFAULT = 10;

    static final int MAX = 1000;
    /** The plugin option {@code docker.concurrency}; when not given, {@value #VARIABLE} or the default holds. */
    static final PluginOption<Integer> OPTION = PluginOption.integer(
            "concurrency",
            DEFAULT,
            1,
            MAX,
            "containers started, stopped or removed at once (default: $" + VARIABLE + ", else " + DEFAULT + ")");

    /** One held slot; closing it frees it. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private final int size;
    private final Semaphore permits;

    EngineSlots(int size) {
        if (size < 1 || size > MAX) {
            throw new IllegalArgumentException("size must be from 1 to " + MAX + ", got " + size);
        }
        this.size = size;
        this.permits = new Semaphore(size, true); // fair: operations run in the order they were asked for
    }

    /** The bound set in {@code env}, or the default. */
    static EngineSlots from(Map<String, String> env) throws TaskRuntimeException {
        String value = env.get(VARIABLE);
        if (value == null || value.isBlank()) {
            return new EngineSlots(DEFAULT);
        }
        try {
            int size = Integer.parseInt(value.strip());
            if (size >= 1 && size <= MAX) {
                return new EngineSlots(size);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TaskRuntimeException(VARIABLE + " must be a whole number from 1 to " + MAX
                + " (containers started, stopped or removed at once), got '" + value + "'");
    }

    int size() {
        return size;
    }

    /** Waits for a free slot. */
    Slot acquire() throws InterruptedException {
        permits.acquire();
        return permits::release;
    }

    /**
     * A free slot when one comes; when the caller is interrupted meanwhile, no slot (the operation goes ahead
     * unbounded: a node that shuts down must still stop what it was asked to stop) and the interrupt kept.
     */
    Slot acquireOrProceed() {
        try {
            return acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return () -> {};
        }
    }

    /** The slots free now (tests). */
    int free() {
        return permits.availablePermits();
    }
}
