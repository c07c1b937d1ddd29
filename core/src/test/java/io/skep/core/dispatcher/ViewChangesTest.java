package io.skep.core.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.api.model.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewChangesTest {

    private static NetworkView.Peer peer(int i) {
        return new NetworkView.Peer("task" + i, "198.18.%d.%d".formatted(i / 250, i % 250 + 2), "192.0.2." + (i % 200));
    }

    private static NetworkView.TaskEntry entry(int i) {
        return new NetworkView.TaskEntry("task" + i, "web." + i + ".task" + i, peer(i).address(), List.of());
    }

    private static NetworkView.ServiceEntry web(int from, int to, String vip) {
        List<NetworkView.TaskEntry> tasks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            tasks.add(entry(i));
        }
        return new NetworkView.ServiceEntry("svc-web", "web", List.of("www"), vip, tasks);
    }

    private static NetworkView view(String id, int from, int to, List<NetworkView.ServiceEntry> services) {
        List<NetworkView.Peer> peers = new ArrayList<>();
        for (int i = from; i < to; i++) {
            peers.add(peer(i));
        }
        return new NetworkView(id, peers, services);
    }

    /** A view with its rows in one order (changes keep old rows in place and put new ones last). */
    private static List<NetworkView> sorted(List<NetworkView> views) {
        return views.stream()
                .map(v -> new NetworkView(
                        v.networkId(),
                        v.peers().stream()
                                .sorted(Comparator.comparing(NetworkView.Peer::taskId))
                                .toList(),
                        v.services().stream()
                                .map(s -> new NetworkView.ServiceEntry(
                                        s.serviceId(),
                                        s.name(),
                                        s.aliases(),
                                        s.virtualIp(),
                                        s.tasks().stream()
                                                .sorted(Comparator.comparing(NetworkView.TaskEntry::taskId))
                                                .toList()))
                                .sorted(Comparator.comparing(NetworkView.ServiceEntry::serviceId))
                                .toList()))
                .sorted(Comparator.comparing(NetworkView::networkId))
                .toList();
    }

    @Test
    void changesAppliedToTheOldViewsGiveTheNewOnes() {
        NetworkView.ServiceEntry db = new NetworkView.ServiceEntry("svc-db", "db", List.of(), null, List.of(entry(50)));
        List<NetworkView> before =
                List.of(view("net-a", 0, 10, List.of(web(0, 10, "198.18.9.2"), db)), view("net-gone", 0, 3, List.of()));
        NetworkView.Peer moved = new NetworkView.Peer("task4", "198.18.0.6", "192.0.2.99"); // another node's now
        List<NetworkView.Peer> peersAfter =
                new ArrayList<>(view("net-a", 2, 12, List.of()).peers());
        peersAfter.set(2, moved);
        NetworkView.ServiceEntry cache = new NetworkView.ServiceEntry("svc-cache", "cache", List.of(), null, List.of());
        List<NetworkView> after = List.of(
                new NetworkView("net-a", peersAfter, List.of(web(2, 12, "198.18.9.3"), cache)),
                view("net-new", 20, 25, List.of(web(20, 25, null))));

        ViewChanges changes = ViewChanges.between(7, before, after);

        assertEquals(7, changes.base());
        assertEquals(List.of("net-gone"), changes.networksGone());
        ViewChanges.NetworkChange a = changes.networks().getFirst();
        assertEquals("net-a", a.networkId());
        assertEquals(List.of("task0", "task1"), a.peersGone());
        assertEquals(List.of(moved, peer(10), peer(11)), a.peers(), "only the peers new or changed");
        assertEquals(List.of("svc-db"), a.servicesGone());
        assertEquals(2, a.services().size(), "web (its VIP and tasks changed) and cache (new)");
        ViewChanges.ServiceChange webChange = a.services().getFirst();
        assertEquals("198.18.9.3", webChange.virtualIp());
        assertEquals(List.of(entry(10), entry(11)), webChange.tasks());
        assertEquals(List.of("task0", "task1"), webChange.tasksGone());

        assertEquals(sorted(after), sorted(changes.applyTo(before)));
        // What a remote node gets goes through JSON: the same after the trip.
        ViewChanges wired = Json.read(Json.bytes(changes), ViewChanges.class);
        assertEquals(changes, wired);
        assertEquals(sorted(after), sorted(wired.applyTo(before)));
    }

    @Test
    void noChangeIsEmptyAndChangesNothing() {
        List<NetworkView> views = List.of(view("net-a", 0, 5, List.of(web(0, 5, "198.18.9.2"))));
        ViewChanges none = ViewChanges.between(3, views, List.copyOf(views));
        assertTrue(none.changesNothing());
        assertEquals(views, none.applyTo(views));
    }

    @Test
    void oneTaskStartingOnAThousandNodeNetworkIsOnePeerAndOneTaskEntry() {
        List<NetworkView> before = List.of(view("net-a", 0, 1000, List.of(web(0, 1000, "198.18.9.2"))));
        List<NetworkView> after = List.of(view("net-a", 0, 1001, List.of(web(0, 1001, "198.18.9.2"))));
        ViewChanges changes = ViewChanges.between(1, before, after);
        ViewChanges.NetworkChange c = changes.networks().getFirst();
        assertEquals(List.of(peer(1000)), c.peers());
        assertEquals(List.of(entry(1000)), c.services().getFirst().tasks());
        int whole = Json.bytes(after).length;
        int change = Json.bytes(changes).length;
        assertTrue(change * 200 < whole, "the change is " + change + " bytes, the view " + whole);
        assertEquals(after, changes.applyTo(before));
    }

    @Test
    void theMailboxSendsChangesOnlyToANodeThatHoldsTheSetItWasLastHanded() throws Exception {
        AssignmentMailbox mailbox = new AssignmentMailbox();
        List<NetworkView> first = List.of(view("net-a", 0, 3, List.of()));
        List<NetworkView> second = List.of(view("net-a", 0, 4, List.of()));
        mailbox.accept(new NodeAssignments(List.of(), first));

        AssignmentMailbox.Assignments whole = mailbox.await(0, Duration.ZERO);
        assertEquals(1, whole.sequence());
        assertNull(whole.changes(), "a node with nothing gets the views whole");
        assertEquals(first, whole.networks());

        mailbox.accept(new NodeAssignments(List.of(), second));
        AssignmentMailbox.Assignments next = mailbox.await(1, Duration.ZERO);
        assertEquals(2, next.sequence());
        assertEquals(1, next.changes().base());
        assertEquals(List.of(peer(3)), next.changes().networks().getFirst().peers());
        assertEquals(second, next.changes().applyTo(first));

        // The answer was lost: the node asks again after the set it holds, which is not the one it was last handed.
        AssignmentMailbox.Assignments again = mailbox.await(1, Duration.ZERO);
        assertNull(again.changes());
        assertEquals(second, again.networks());

        AssignmentMailbox.Assignments quiet = mailbox.await(2, Duration.ofMillis(1));
        assertEquals(2, quiet.sequence(), "nothing new: the same sequence");
        assertTrue(quiet.changes().changesNothing(), "and no views to send again");
        assertFalse(quiet.tasks() == null);
    }
}
