package io.skep.core.manager;

import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.store.Batch;
import io.skep.core.store.NodePatch;
import io.skep.core.store.RaftStore;
import io.skep.core.store.StoreEvent;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Keeps each manager's {@code ManagerStatus} true to the Raft group, as the leader sees it: {@code Leader} for the
 * leader, {@code Reachability} reachable or unreachable by whether the leader heard from it lately. {@code node ls}
 * shows it as MANAGER STATUS (Leader, Reachable, Unreachable).
 */
final class ManagerStatusLoop extends ReconcileLoop {
    private static final Duration PERIOD = Duration.ofSeconds(1);

    private final StoreWriter store;
    private final RaftStore raft;

    ManagerStatusLoop(StoreWriter store, RaftStore raft) {
        super("manager-status");
        this.store = store;
        this.raft = raft;
    }

    @Override
    protected boolean interested(List<StoreEvent> events) {
        return events.stream().anyMatch(e -> e.kind() == Kind.NODE);
    }

    @Override
    protected void reconcile() throws Exception {
        String leader = raft.leaderId();
        Set<String> reachable = raft.reachableMembers();
        Batch batch = new Batch();
        for (RaftStore.Member member : raft.members()) {
            Node node = store.memory().get(Kind.NODE, member.id());
            if (node == null || node.managerStatus == null) {
                continue;
            }
            Node.ManagerStatus next = Json.copy(node.managerStatus);
            next.leader = member.id().equals(leader) ? Boolean.TRUE : null;
            next.reachability = reachable.contains(member.id()) ? "reachable" : "unreachable";
            if (!Json.same(next, node.managerStatus)) {
                NodePatch p = new NodePatch();
                p.managerStatus = next;
                batch.patchNode(node.id, p);
            }
        }
        store.commit(batch);
        wakeIn(PERIOD);
    }
}
