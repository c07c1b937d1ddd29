package io.skep.bench.dns;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the run must undo, last registered first: at its end, on failure, and from the shutdown hook on Ctrl-C. An
 * action is registered before the step it undoes, so a step that half succeeded is undone too; each runs once, and
 * one that fails is reported while the others still run.
 */
final class Undo {

    interface Action {
        void run() throws Exception;
    }

    private record Step(String what, Action action) {}

    private final Deque<Step> steps = new ArrayDeque<>();
    private final PrintStream log;

    Undo(PrintStream log) {
        this.log = log;
    }

    synchronized void add(String what, Action action) {
        steps.push(new Step(what, action));
    }

    /** Runs every action not run yet, the last registered first. */
    synchronized void runAll() {
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.action().run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                log.println("WARNING: cleanup interrupted: " + step.what());
            } catch (Exception e) {
                log.println("WARNING: cleanup failed: " + step.what() + ": " + e.getMessage());
            }
        }
    }
}
