package io.skep.core.orchestrator;

import io.skep.api.model.Defaults;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether an ended task is replaced, per its restart policy (condition, max attempts within a
 * window), as swarmkit's restart supervisor does. Attempts are counted in memory per slot: like Swarm's,
 * this count starts again after a leader change.
 */
public final class RestartSupervisor {
    private final Map<String, Deque<Instant>> attempts = new ConcurrentHashMap<>();

    /** Whether the ended {@code task} gets a replacement; records the attempt when it does. */
    public boolean shouldRestart(Task task, String slotKey) {
        String condition = Defaults.restartCondition(task.spec);
        TaskState state = task.state();
        boolean restart = switch (condition) {
            case "none" -> false;
            case "on-failure" -> state != TaskState.COMPLETE;
            default -> true;
        };
        if (!restart) {
            return false;
        }
        long maxAttempts = Defaults.restartMaxAttempts(task.spec);
        if (maxAttempts > 0) {
            Duration window = Defaults.restartWindow(task.spec);
            Instant now = Instant.now();
            Deque<Instant> history = attempts.computeIfAbsent(slotKey, k -> new ArrayDeque<>());
            synchronized (history) {
                if (!window.isZero()) {
                    while (!history.isEmpty() && history.peekFirst().isBefore(now.minus(window))) {
                        history.removeFirst();
                    }
                }
                if (history.size() >= maxAttempts) {
                    return false;
                }
                history.addLast(now);
            }
        }
        return true;
    }
}
