package io.skep.bench.faults;

import io.skep.bench.faults.History.Kind;
import io.skep.bench.faults.History.Observation;
import io.skep.bench.faults.History.Outcome;
import io.skep.bench.faults.History.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a whole run's history against the swarm's state once no write is in flight: each version-checked service
 * as a compare-and-set register ({@link CasRegisterChecker}), and the creates: every acknowledged one present, no
 * refused one present, no service that nobody created.
 */
final class HistoryChecker {

    private HistoryChecker() {}

    /**
     * What the check found.
     *
     * @param violations           every violation, said with the writes involved
     * @param lost                 acknowledged writes (updates and creates) missing
     * @param indeterminateApplied indeterminate writes that took effect
     * @param indeterminate        indeterminate writes in all
     */
    record Findings(List<String> violations, int lost, int indeterminateApplied, int indeterminate) {}

    /**
     * @param registers   the names of the services updated with version checks (their label starts at
     *                    {@link History#INITIAL})
     * @param finalStates every service the swarm holds, by name, as the managers agree it is
     */
    static Findings check(
            List<Write> writes,
            List<Observation> observations,
            Set<String> registers,
            Map<String, Observation> finalStates) {
        List<String> violations = new ArrayList<>();
        int lost = 0;
        int applied = 0;
        int indeterminate = 0;
        Map<String, List<Write>> updates = new HashMap<>();
        Map<String, List<Observation>> seen = new HashMap<>();
        Set<String> created = new HashSet<>();
        for (Write w : writes) {
            if (w.kind() == Kind.UPDATE) {
                updates.computeIfAbsent(w.service(), k -> new ArrayList<>()).add(w);
            } else {
                created.add(w.service());
            }
        }
        for (Observation o : observations) {
            seen.computeIfAbsent(o.service(), k -> new ArrayList<>()).add(o);
        }
        for (String service : registers) {
            Observation end = finalStates.get(service);
            if (end == null) {
                violations.add("the service " + service + " is gone");
            }
            CasRegisterChecker.Result r = CasRegisterChecker.check(
                    History.INITIAL,
                    updates.getOrDefault(service, List.of()),
                    seen.getOrDefault(service, List.of()),
                    end);
            r.violations().forEach(v -> violations.add(service + ": " + v));
            lost += r.lost().size();
            for (Write w : r.chain()) {
                applied += w.outcome() == Outcome.INDETERMINATE ? 1 : 0;
            }
        }
        for (Write w : writes) {
            if (w.kind() == Kind.UPDATE) {
                indeterminate += w.outcome() == Outcome.INDETERMINATE ? 1 : 0;
                continue;
            }
            boolean present = finalStates.containsKey(w.service());
            switch (w.outcome()) {
                case ACKNOWLEDGED -> {
                    if (!present) {
                        lost++;
                        violations.add("lost: acknowledged " + w + ": the service is not in the swarm");
                    }
                }
                case REFUSED -> {
                    if (present) {
                        violations.add("refused " + w + " took effect: the service is in the swarm");
                    }
                }
                case INDETERMINATE -> {
                    indeterminate++;
                    applied += present ? 1 : 0;
                }
            }
        }
        for (String name : finalStates.keySet()) {
            if (!registers.contains(name) && !created.contains(name)) {
                violations.add("the service " + name + " is in the swarm, but nobody created it");
            }
        }
        return new Findings(List.copyOf(violations), lost, applied, indeterminate);
    }
}
