package io.skep.api.model;

import java.util.Locale;

/**
 * Task states, in order: a task's state only moves forward. Names and order are swarmkit's.
 */
public enum TaskState {
    NEW,
    PENDING,
    ASSIGNED,
    ACCEPTED,
    PREPARING,
    READY,
    STARTING,
    RUNNING,
    COMPLETE,
    SHUTDOWN,
    FAILED,
    REJECTED,
    REMOVE,
    ORPHANED;

    /** The lower-case wire name ({@code "running"}). */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Wire name → state; the reconcilers look states up for every task on every pass, so no string is made. */
    private static final java.util.Map<String, TaskState> BY_WIRE = new java.util.HashMap<>();

    static {
        for (TaskState s : values()) {
            BY_WIRE.put(s.wire(), s);
        }
    }

    public static TaskState fromWire(String value) {
        if (value == null) {
            return null;
        }
        TaskState s = BY_WIRE.get(value);
        return s != null ? s : valueOf(value.toUpperCase(Locale.ROOT)); // another case: as before, or refused
    }

    /** Whether the task has stopped for good: complete, shutdown, failed, rejected, removed or orphaned. */
    public boolean isTerminal() {
        return compareTo(RUNNING) > 0;
    }

    public boolean isAfter(TaskState other) {
        return compareTo(other) > 0;
    }
}
