package io.skep.bench.docker;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the run must undo, last registered first: at the end of each leg, at the end of the run, and from the
 * shutdown hook on Ctrl-C. Each action runs once, whoever asks first; a failing action is reported and the others
 * still run.
 */
final class Cleanup {

    interface Undo {
        void run() throws Exception;
    }

    /** One registered action. */
    final class Action {
        private final String what;
        private final Undo undo;
        private boolean done; // guarded by Cleanup.this

        private Action(String what, Undo undo) {
            this.what = what;
            this.undo = undo;
        }

        /** Runs it now, unless it ran already. */
        void run() {
            synchronized (Cleanup.this) {
                if (done) {
                    return;
                }
                done = true;
                actions.remove(this);
                try {
                    undo.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    log.println("WARNING: cleanup interrupted: " + what);
                } catch (Exception e) {
                    log.println("WARNING: cleanup failed: " + what + ": " + e.getMessage());
                }
            }
        }
    }

    private final Deque<Action> actions = new ArrayDeque<>();
    private final PrintStream log;

    Cleanup(PrintStream log) {
        this.log = log;
    }

    synchronized Action add(String what, Undo undo) {
        Action action = new Action(what, undo);
        actions.push(action);
        return action;
    }

    /** Runs every action not run yet, the last registered first. */
    synchronized void runAll() {
        while (!actions.isEmpty()) {
            actions.peek().run();
        }
    }
}
