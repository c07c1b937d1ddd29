package io.skep.bench.docker;

/**
 * The four timed steps, in order, and when the engine shows each of them done. A step is timed from its first
 * command until a poll of the engine shows its goal, whatever the orchestrator says about it.
 */
enum Step {

    /** {@code replicas} containers of the v1 image run (and no other container of the service does). */
    CREATE,
    /** {@code scaleTo} containers of v1 run. */
    SCALE,
    /** {@code scaleTo} containers run, all of them v2. */
    UPDATE,
    /** No container of the service is left, in any state. */
    REMOVE;

    /**
     * How many replicas, and how many at a time.
     *
     * @param replicas    created by the first step
     * @param scaleTo     after the second step (more than {@code replicas})
     * @param parallelism containers changed at a time: the raw leg's workers, the services' update parallelism
     */
    record Shape(int replicas, int scaleTo, int parallelism) {}

    /** The step's line in the report. */
    String label(Shape shape) {
        return switch (this) {
            case CREATE -> "create " + shape.replicas() + (shape.replicas() == 1 ? " replica" : " replicas");
            case SCALE -> "scale " + shape.replicas() + " -> " + shape.scaleTo();
            case UPDATE -> "update " + shape.scaleTo() + " to v2, " + shape.parallelism() + " at a time";
            case REMOVE -> "remove " + shape.scaleTo();
        };
    }

    /** Whether the step ends with the v2 image running (else v1, or nothing). */
    boolean toV2() {
        return this == UPDATE;
    }

    /** The engine shows the step done. {@code runningWithImage} counts the image of {@link #toV2()}. */
    boolean done(Snapshot s, Shape shape) {
        return switch (this) {
            case CREATE -> s.running() == shape.replicas() && s.runningWithImage() == shape.replicas();
            case SCALE, UPDATE -> s.running() == shape.scaleTo() && s.runningWithImage() == shape.scaleTo();
            case REMOVE -> s.all() == 0;
        };
    }

    /** What the step changes, so that its first visible effect can be timed too. */
    int progress(Snapshot s) {
        return switch (this) {
            case CREATE, SCALE -> s.running();
            case UPDATE -> s.runningWithImage();
            case REMOVE -> s.all();
        };
    }
}
