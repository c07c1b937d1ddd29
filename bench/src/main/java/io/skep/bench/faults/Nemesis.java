package io.skep.bench.faults;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Injects one fault at a time into a {@link FaultSwarm}, and heals it. No fault depends on the nodes' clocks: a
 * process is killed, frozen or cut off, and the swarm must cope.
 */
final class Nemesis {

    /** The kinds of fault. */
    enum Kind {
        /** {@code kill -9} of a manager; the heal starts it again on its data directory, in its namespace. */
        KILL("kill -9, restart"),
        /** {@code SIGSTOP} of a manager (it keeps its connections, silent); the heal is {@code SIGCONT}. */
        PAUSE("SIGSTOP, SIGCONT"),
        /** A minority of the managers cut off from the majority. */
        MINORITY("majority/minority split"),
        /** The leader cut off from every other manager. */
        ISOLATED_LEADER("isolated leader"),
        /** Two groups that cannot see each other, and one manager that sees both. */
        BRIDGE("bridge split");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /** A fault in place: what it is, and how to heal it. */
    record Fault(Kind kind, String description, Heal heal) {}

    @FunctionalInterface
    interface Heal {
        void run() throws IOException;
    }

    private final FaultSwarm swarm;
    private final Random random;

    Nemesis(FaultSwarm swarm, Random random) {
        this.swarm = swarm;
        this.random = random;
    }

    /** Injects a fault of {@code kind}; the swarm must be whole (every manager up, no partition). */
    Fault inject(Kind kind) {
        List<ManagerProcess> managers = swarm.managers();
        ManagerProcess any = managers.get(random.nextInt(managers.size()));
        return switch (kind) {
            case KILL -> {
                String role = role(any);
                any.kill();
                yield new Fault(kind, "kill -9 " + any.name() + role, () -> any.start("restart after kill -9"));
            }
            case PAUSE -> {
                String role = role(any);
                any.pause();
                yield new Fault(kind, "SIGSTOP " + any.name() + role, any::resume);
            }
            case MINORITY -> {
                List<ManagerProcess> shuffled = shuffled();
                List<ManagerProcess> minority = shuffled.subList(0, (managers.size() - 1) / 2);
                yield cut(kind, minority, shuffled.subList(minority.size(), shuffled.size()));
            }
            case ISOLATED_LEADER -> {
                ManagerProcess leader =
                        swarm.leader().orElseThrow(() -> new IllegalStateException("no manager names a leader"));
                List<ManagerProcess> others = new ArrayList<>(managers);
                others.remove(leader);
                yield cut(kind, List.of(leader), others);
            }
            case BRIDGE -> {
                List<ManagerProcess> shuffled = shuffled();
                ManagerProcess bridge = shuffled.removeFirst();
                int half = shuffled.size() / 2;
                Fault f = cut(kind, shuffled.subList(0, half), shuffled.subList(half, shuffled.size()));
                yield new Fault(kind, f.description() + ", " + bridge.name() + " sees both", f.heal());
            }
        };
    }

    /** " (leader)" or " (follower)", as the swarm sees it now. */
    private String role(ManagerProcess m) {
        return swarm.leader().map(l -> l == m ? " (leader)" : " (follower)").orElse(" (no leader known)");
    }

    private List<ManagerProcess> shuffled() {
        List<ManagerProcess> list = new ArrayList<>(swarm.managers());
        Collections.shuffle(list, random);
        return list;
    }

    /** Cuts every link between {@code a} and {@code b}, both ways. */
    private Fault cut(Kind kind, List<ManagerProcess> a, List<ManagerProcess> b) {
        Set<Set<Integer>> links = new HashSet<>();
        for (ManagerProcess x : a) {
            for (ManagerProcess y : b) {
                links.add(Set.of(x.index(), y.index()));
            }
        }
        String description = kind.description + " " + names(a) + " | " + names(b) + leaderNote();
        swarm.network().partition(links);
        return new Fault(kind, description, () -> swarm.network().heal());
    }

    private String leaderNote() {
        return swarm.leader().map(l -> " (leader " + l.name() + ")").orElse("");
    }

    private static String names(List<ManagerProcess> group) {
        return group.stream().map(ManagerProcess::name).sorted().collect(Collectors.joining(",", "{", "}"));
    }
}
