package io.skep.bench.faults;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The check after each heal, and at the end of a run, with no write in flight: the write recovery the probes
 * measured against its bound, the managers' agreement on the services, the whole history against that final state,
 * and every service at its replica count. A run that goes on after a failed check (--keep-going) is told only
 * what is new at each check.
 */
final class HealCheck {
    private final FaultSwarm swarm;
    private final History history;
    private final Set<String> registers;
    private final FaultScenario.Options options;
    /** Violations already reported (the history only grows: an old violation would come back at every check). */
    private final Set<String> reported = new HashSet<>();
    /** Services found unsettled, excused from later checks. */
    private final Set<String> unsettled = new HashSet<>();

    private HistoryChecker.Findings lastFindings;
    private AgreedState.Result lastState = new AgreedState.Result(null, "not checked");

    /** @param registers the services updated with version checks */
    HealCheck(FaultSwarm swarm, History history, List<String> registers, FaultScenario.Options options) {
        this.swarm = swarm;
        this.history = history;
        this.registers = Set.copyOf(registers);
        this.options = options;
    }

    /**
     * @param kind     the fault healed; null for the check at the end of the run
     * @param recovery what the probes measured since the heal; null at the end of the run
     */
    FaultScenario.Checkpoint after(int number, Nemesis.Kind kind, String fault, WriteRecovery.Result recovery)
            throws InterruptedException {
        List<String> violations = new ArrayList<>();
        if (recovery != null) {
            long bound = options.writeBound().toSeconds();
            recovery.failures()
                    .forEach((m, last) ->
                            violations.add(m + " took no write within " + bound + " s of the heal; its last: " + last));
            if (recovery.failures().isEmpty() && recovery.every() > bound) {
                violations.add("every manager took a write only after " + FaultScenario.seconds(recovery.every())
                        + " s (bound " + bound + " s)");
            }
        }
        long start = System.nanoTime();
        double settled = Double.NaN;
        AgreedState.Result state = AgreedState.await(swarm, options.settleBound());
        lastState = state;
        if (state.services() == null) {
            violations.add("the managers did not agree on the services within "
                    + options.settleBound().toSeconds() + " s: " + state.problem());
        } else {
            Map<String, History.Observation> finals = new LinkedHashMap<>();
            state.services().forEach((name, s) -> finals.put(name, s.state()));
            lastFindings = HistoryChecker.check(history.writes(), history.observations(), registers, finals);
            violations.addAll(lastFindings.violations());
            SettleCheck.Result tasks = SettleCheck.await(swarm, state.services(), unsettled, options.settleBound());
            if (tasks.settled()) {
                settled = (System.nanoTime() - start) / 1e9;
            } else {
                violations.add("the services did not settle at their replica counts within "
                        + options.settleBound().toSeconds() + " s: " + String.join("; ", tasks.problems()));
                unsettled.addAll(tasks.unsettled());
            }
        }
        violations.removeIf(v -> !reported.add(v));
        return new FaultScenario.Checkpoint(
                number,
                kind,
                fault,
                recovery == null ? Double.NaN : recovery.any(),
                recovery == null ? Double.NaN : recovery.every(),
                settled,
                List.copyOf(violations));
    }

    /** What the history check found last (null before the managers first agreed). */
    HistoryChecker.Findings lastFindings() {
        return lastFindings;
    }

    AgreedState.Result lastState() {
        return lastState;
    }
}
