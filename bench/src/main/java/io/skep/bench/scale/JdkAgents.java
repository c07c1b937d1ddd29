package io.skep.bench.scale;

import io.skep.api.model.Ids;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.cluster.ClusterClient;
import io.skep.core.cluster.RemoteDispatcher;
import io.skep.core.dispatcher.AgentSession;
import io.skep.core.tls.NodeTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The simulated workers on the core's own worker side ({@code --agent=jdk}): each a {@link RemoteDispatcher} on a
 * {@link ClusterClient} of its own (the JDK's HTTP client, with the worker's certificate), heartbeats from one shared
 * timer, and a runtime that starts tasks instantly (a new task wanted running is reported running at once; the
 * dispatcher's latest-per-task map and background sender batch the reports). The heavier of the two fleets (a
 * selector thread per client, two virtual threads per session): kept to compare with {@link LightAgents}. It cannot
 * see which reports the manager took, so it reports none.
 */
final class JdkAgents implements Fleet {
    private final String manager;
    private final LongAdder delivered = new LongAdder();
    private final List<ClusterClient> clients = new ArrayList<>();
    private final List<AgentSession> sessions = new ArrayList<>();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("sim-heartbeats").factory());

    JdkAgents(String manager) {
        this.manager = manager;
    }

    @Override
    public void open(List<Joining.Member> members, Duration timeout) {
        RemoteDispatcher.Listener quiet = new RemoteDispatcher.Listener() {
            @Override
            public void managers(List<String> managers) {}

            @Override
            public void role(String role) {}
        };
        for (Joining.Member m : members) {
            ClusterClient client =
                    new ClusterClient(new NodeTls(m.certificate(), m.rootCa()).clientContext(), List.of(manager));
            clients.add(client);
            RemoteDispatcher dispatcher = new RemoteDispatcher(client, quiet);
            CompletableFuture<AgentSession> session = new CompletableFuture<>();
            Map<String, TaskState> latest = new HashMap<>(); // used on the session's fetching thread alone
            AgentSession s = dispatcher.register(m.nodeId(), m.description(), assigned -> {
                AgentSession own = session.join();
                Set<String> seen = new HashSet<>();
                for (Task t : assigned.tasks()) {
                    seen.add(t.id);
                    TaskState known = latest.get(t.id);
                    if (known == null && t.isWanted()) {
                        delivered.increment();
                    }
                    TaskState next = Wire.next(known, t.desired());
                    if (next != null) {
                        latest.put(t.id, next);
                        own.updateTaskStatus(t.id, status(t.id, next));
                    }
                }
                latest.keySet().retainAll(seen);
            });
            session.complete(s);
            sessions.add(s);
            long period = dispatcher.heartbeatPeriod().toMillis();
            heartbeats.scheduleAtFixedRate(
                    () -> Thread.ofVirtual().start(s::heartbeat), period, period, TimeUnit.MILLISECONDS);
        }
    }

    private static Task.TaskStatus status(String taskId, TaskState state) {
        Task.TaskStatus s = new Task.TaskStatus();
        s.state = state.wire();
        s.message = state == TaskState.RUNNING ? "started" : state.wire();
        s.timestamp = Ids.now();
        if (state == TaskState.RUNNING) {
            s.containerStatus = new Task.ContainerStatus();
            s.containerStatus.containerId = "sim-" + taskId;
        }
        return s;
    }

    @Override
    public long delivered() {
        return delivered.sum();
    }

    @Override
    public long reported() {
        return -1;
    }

    @Override
    public String traffic() {
        return null;
    }

    @Override
    public String errors() {
        return "not counted (see the log)";
    }

    @Override
    public String describe() {
        return "the core's RemoteDispatcher, a JDK HTTP client each";
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        clients.forEach(ClusterClient::close); // first: the sessions' goodbyes then fail at once
        sessions.forEach(AgentSession::close);
    }
}
