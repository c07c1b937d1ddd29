package io.skep.spi.tck;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;

/**
 * Checks the scheduler kit itself (this class is not part of the kit's jar): a strategy that keeps the SPI's
 * promises passes it, and each kind of broken strategy fails the test meant to catch it. The kit's tests are
 * called directly; the ServiceLoader test is left out, as the SPI's own module provides no strategy.
 */
class SchedulerStrategyConformanceSelfTest {

    /** Least loaded first (service tasks, total tasks, node ID), one task at a time; honours capacity. */
    static class Greedy implements SchedulerStrategy {
        @Override
        public String name() {
            return "greedy";
        }

        @Override
        public boolean appliesTo(PlacementRequest request) {
            return true;
        }

        @Override
        public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
            List<NodeCandidate> nodes = new ArrayList<>(candidates);
            nodes.sort(Comparator.comparing(NodeCandidate::nodeId));
            int m = nodes.size();
            long[] service = new long[m];
            long[] total = new long[m];
            int[] room = new int[m];
            for (int i = 0; i < m; i++) {
                service[i] = nodes.get(i).serviceTasks();
                total[i] = nodes.get(i).totalTasks();
                room[i] = roomOf(nodes.get(i));
            }
            List<String> placed = new ArrayList<>();
            for (int t = 0; t < request.taskCount(); t++) {
                int best = -1;
                for (int i = 0; i < m; i++) {
                    if (room[i] > 0
                            && (best < 0
                                    || service[i] < service[best]
                                    || service[i] == service[best] && total[i] < total[best])) {
                        best = i;
                    }
                }
                if (best < 0) {
                    break;
                }
                placed.add(nodes.get(best).nodeId());
                service[best]++;
                total[best]++;
                room[best]--;
            }
            return placed;
        }

        int roomOf(NodeCandidate node) {
            return node.capacity();
        }
    }

    /** A kit whose strategy is {@code strategy}. */
    private static SchedulerStrategyConformance kit(SchedulerStrategy strategy, boolean orderIndependent) {
        return new SchedulerStrategyConformance() {
            @Override
            protected SchedulerStrategy strategy() {
                return strategy;
            }

            @Override
            protected boolean independentOfCandidateOrder() {
                return orderIndependent;
            }
        };
    }

    private static void runsClean(SchedulerStrategyConformance kit) {
        kit.appliesToTheKitsRequests();
        kit.placesAtMostTaskCountTasksAndOnlyOnCandidates();
        kit.neverPlacesMoreThanANodesCapacityAndNothingOnANodeWithoutRoom();
        kit.placesEveryTaskWhenTheCapacityAllowsAndAsManyAsItAllowsOtherwise();
        kit.placesOnASingleCandidate();
        kit.placesNothingWithoutCandidates();
        kit.isDeterministicForTheSameInput();
        kit.leavesTheCandidatesAsTheyAreAndTakesThemUnmodifiable();
        kit.keepsItsPromisesWhateverTheOrderOfTheCandidates();
        kit.placesALargeBatchOnManyNodes();
    }

    private static void fails(SchedulerStrategy strategy, Consumer<SchedulerStrategyConformance> test) {
        SchedulerStrategyConformance kit = kit(strategy, true);
        Executable run = () -> test.accept(kit);
        assertThrows(AssertionFailedError.class, run);
    }

    @Test
    void aConformingStrategyPasses() {
        runsClean(kit(new Greedy(), true));
        runsClean(kit(new Greedy(), false));
    }

    @Test
    void aStrategyThatIgnoresCapacityFails() {
        Greedy unlimited = new Greedy() {
            @Override
            int roomOf(NodeCandidate node) {
                return Integer.MAX_VALUE;
            }
        };
        fails(unlimited, SchedulerStrategyConformance::neverPlacesMoreThanANodesCapacityAndNothingOnANodeWithoutRoom);
        fails(unlimited, SchedulerStrategyConformance::placesOnASingleCandidate);
        fails(unlimited, SchedulerStrategyConformance::placesALargeBatchOnManyNodes);
    }

    @Test
    void aStrategyThatStopsShortOrPlacesTooManyFails() {
        Greedy shortOne = new Greedy() {
            @Override
            public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
                List<String> placed = super.place(request, candidates);
                return placed.size() > 1 ? placed.subList(0, placed.size() - 1) : placed;
            }
        };
        fails(shortOne, SchedulerStrategyConformance::placesEveryTaskWhenTheCapacityAllowsAndAsManyAsItAllowsOtherwise);
        Greedy overflowing = new Greedy() {
            @Override
            public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
                int room = 0;
                for (NodeCandidate node : candidates) {
                    room += node.capacity(); // overflows with two unlimited nodes
                }
                int tasks = Math.min(request.taskCount(), room);
                return tasks <= 0
                        ? List.of()
                        : super.place(
                                new PlacementRequest(request.serviceId(), tasks, request.spreadDescriptors()),
                                candidates);
            }
        };
        fails(
                overflowing,
                SchedulerStrategyConformance::placesEveryTaskWhenTheCapacityAllowsAndAsManyAsItAllowsOtherwise);
        Greedy tooMany = new Greedy() {
            @Override
            public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
                List<String> placed = new ArrayList<>(super.place(request, candidates));
                if (!placed.isEmpty()) {
                    placed.add(placed.getFirst());
                }
                return placed;
            }
        };
        fails(tooMany, SchedulerStrategyConformance::placesAtMostTaskCountTasksAndOnlyOnCandidates);
        Greedy stranger = new Greedy() {
            @Override
            public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
                return super.place(request, candidates).stream()
                        .map(id -> id + "x")
                        .toList();
            }
        };
        fails(stranger, SchedulerStrategyConformance::placesAtMostTaskCountTasksAndOnlyOnCandidates);
    }

    @Test
    void aStrategyWithStateBetweenCallsFails() {
        Greedy roundRobin = new Greedy() {
            private int calls;

            @Override
            public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
                List<NodeCandidate> rotated = new ArrayList<>(candidates);
                if (!rotated.isEmpty()) {
                    java.util.Collections.rotate(rotated, calls++);
                }
                return orderDependent(request, rotated);
            }
        };
        fails(roundRobin, SchedulerStrategyConformance::isDeterministicForTheSameInput);
    }

    @Test
    void aStrategyThatSortsTheCandidatesInPlaceFails() {
        Greedy sorter = new Greedy() {
            @Override
            public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
                candidates.sort(Comparator.comparing(NodeCandidate::nodeId));
                return super.place(request, candidates);
            }
        };
        fails(sorter, SchedulerStrategyConformance::leavesTheCandidatesAsTheyAreAndTakesThemUnmodifiable);
    }

    @Test
    void orderDependenceFailsOnlyAStrategyThatPromisesOtherwise() {
        Greedy firstListed = new Greedy() {
            @Override
            public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
                return orderDependent(request, candidates);
            }
        };
        fails(firstListed, SchedulerStrategyConformance::keepsItsPromisesWhateverTheOrderOfTheCandidates);
        kit(firstListed, false).keepsItsPromisesWhateverTheOrderOfTheCandidates();
    }

    /** Fills the candidates in the order given, each up to its capacity: correct, but order dependent. */
    private static List<String> orderDependent(PlacementRequest request, List<NodeCandidate> candidates) {
        List<String> placed = new ArrayList<>();
        for (NodeCandidate node : candidates) {
            for (int i = 0; i < node.capacity() && placed.size() < request.taskCount(); i++) {
                placed.add(node.nodeId());
            }
        }
        return placed;
    }
}
