package io.skep.bench.scale;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.skep.api.model.Json;
import io.skep.api.model.TaskState;
import io.skep.core.tls.NodeTls;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Light agents: simulated workers that speak the dispatcher protocol of {@code io.skep.core.cluster.ClusterRoutes}
 * exactly as {@code RemoteDispatcher} does (same routes, same JSON bodies, mutual TLS with the worker's own
 * certificate), on Netty, all of them sharing one small event loop group.
 *
 * <p>Each agent has two HTTP/1.1 connections to the manager's cluster port, as the JDK client of
 * {@code RemoteDispatcher} ends up with: one that always holds a long-poll fetch of the node's assignments (its drop
 * tells the manager the node is gone), and one for the session, the heartbeats at the period the manager answers,
 * and the status reports. Status waits in a latest-per-task map while a report is in flight, and goes in one batch
 * when it returns, as {@code RemoteDispatcher} batches. The runtime starts tasks instantly: a task new to the agent
 * whose desired state is running is reported running at once (the real agent walks accepted, preparing, ready,
 * starting and running in microseconds with such a runtime, and its latest-per-task map leaves running alone in a
 * report); a task the managers want stopped is reported shut down. When the manager forgets the session (404), the
 * agent opens a new one and reports every task's latest state again.
 *
 * <p>Why Netty rather than the core's {@code RemoteDispatcher}: that one runs on the JDK's HTTP client, which takes a
 * selector thread per client, and a node with its own certificate needs a client of its own, so 1,000 workers mean
 * 1,000 platform threads, 2,000 virtual threads and the JDK client's per-request machinery, all on the two cores the
 * manager needs. Measured side by side at full size ({@code --agent=jdk} runs that variant): the JDK fleet took 57
 * CPU-s of the two cores against 11 to 12 here, its heartbeats hit 1,474 connect timeouts, and the starved manager
 * made 1,367 tasks/s against 3,000 to 3,800. Here every agent's state is confined to its event loop: no locks, no
 * thread per agent.
 */
final class LightAgents implements Fleet {
    private static final int MAX_BODY = 64 << 20;
    private static final long FIRST_RETRY_MILLIS = 100;
    private static final long MAX_RETRY_MILLIS = 2_000;
    /** Sessions being opened at once: each is a Raft commit on the manager (the node turns ready). */
    private static final int OPENING = 64;

    private final EventLoopGroup group;
    private final int threads;
    private final String host;
    private final int port;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder reported = new LongAdder();
    private final LongAdder taskSets = new LongAdder();
    private final LongAdder taskSetTasks = new LongAdder();
    private final LongAdder taskSetBytes = new LongAdder();
    private final LongAdder reports = new LongAdder();
    private final LongAdder reportedStates = new LongAdder();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final List<Agent> agents = new ArrayList<>();

    /**
     * The fan-out phase's watch ({@link #watch}): each agent notes when the views it holds first show this many
     * running tasks and endpoints; {@link Long#MAX_VALUE} when not armed.
     */
    private volatile long expected = Long.MAX_VALUE;

    private volatile AtomicLongArray seenAt = new AtomicLongArray(0);
    private final LongAdder seen = new LongAdder();
    /** When an agent first reported a task running while armed (nanoTime; 0: not yet): the watched task started. */
    private final AtomicLong runningAt = new AtomicLong();
    /** The index of the agent that reported it. */
    private volatile int runningOn = -1;

    /** @param manager the leader's cluster port, {@code host:port} */
    LightAgents(String manager, int threads) {
        int colon = manager.lastIndexOf(':');
        this.host = manager.substring(0, colon);
        this.port = Integer.parseInt(manager.substring(colon + 1));
        this.threads = threads;
        this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    @Override
    public void open(List<Joining.Member> members, Duration timeout) throws Exception {
        Semaphore opening = new Semaphore(OPENING);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<CompletableFuture<Void>> opened = new ArrayList<>();
        for (Joining.Member m : members) {
            if (!opening.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("timed out opening the sessions (" + errors() + ")");
            }
            Agent a = new Agent(agents.size(), m, group.next(), new NodeTls(m.certificate(), m.rootCa()).client());
            agents.add(a);
            a.opened.whenComplete((v, e) -> opening.release());
            opened.add(a.opened);
            a.loop.execute(a::openSession);
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new))
                .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public long delivered() {
        return delivered.sum();
    }

    @Override
    public long reported() {
        return reported.sum();
    }

    @Override
    public String traffic() {
        long sets = taskSets.sum();
        long n = reports.sum();
        return ("%d task sets fetched (%.1f a worker, %.1f tasks each, %.0f MB of JSON in all); %d status reports "
                        + "taken (%.1f tasks each)")
                .formatted(
                        sets,
                        (double) sets / Math.max(1, agents.size()),
                        (double) taskSetTasks.sum() / Math.max(1, sets),
                        taskSetBytes.sum() / 1048576.0,
                        n,
                        (double) reportedStates.sum() / Math.max(1, n));
    }

    @Override
    public String errors() {
        long n = failures.get();
        return n == 0 ? "none" : n + " failed calls, first: " + firstFailure.get();
    }

    @Override
    public String describe() {
        return "light agents on Netty, " + threads + " event-loop thread" + (threads == 1 ? "" : "s")
                + ", 2 TLS connections each";
    }

    @Override
    public void close() {
        agents.forEach(a -> a.loop.execute(a::close));
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /**
     * Arms the watch of the fan-out phase: from now on each agent notes the moment its views first hold
     * {@code count} running tasks and as many endpoints (see {@link #expected}), and the first running report is
     * taken as the new task's start.
     */
    void watch(long count) {
        seenAt = new AtomicLongArray(agents.size());
        seen.reset();
        runningAt.set(0);
        runningOn = -1;
        expected = count;
    }

    /** Agents whose views have come to hold what {@link #watch} armed. */
    long seen() {
        return seen.sum();
    }

    /** When each agent's views came to hold it (nanoTime), 0 for one that has not. */
    long[] seenAt() {
        AtomicLongArray at = seenAt;
        long[] copy = new long[at.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = at.get(i);
        }
        return copy;
    }

    /** When the watched task was reported running by its agent (nanoTime), 0 before. */
    long runningAt() {
        return runningAt.get();
    }

    /** The index (in {@link #seenAt}) of the agent that reported the watched task running, -1 before. */
    int runningOn() {
        return runningOn;
    }

    /** Bytes of the task sets fetched so far (their JSON bodies), and how many. */
    long fetchedBytes() {
        return taskSetBytes.sum();
    }

    long fetchedSets() {
        return taskSets.sum();
    }

    /**
     * The size of a whole task set of the first agent (its views whole, as a node that holds no set gets them): what
     * each fetch would carry without changes. Fetched beside the agent's own long poll.
     */
    long wholeSetBytes(Duration timeout) throws Exception {
        Agent a = agents.getFirst();
        CompletableFuture<Long> size = new CompletableFuture<>();
        a.loop.execute(() -> a.control.send(
                HttpMethod.GET, "/dispatcher/sessions/" + a.session + "/assignments?after=0", null, (status, body) -> {
                    if (status == 200) {
                        size.complete((long) body.readableBytes());
                    } else {
                        size.completeExceptionally(new IOException("whole set: " + status + " " + text(body)));
                    }
                }));
        return size.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void failed(String what) {
        if (failures.incrementAndGet() == 1) {
            firstFailure.set(what);
        }
    }

    /** One simulated worker. Everything it holds is used on its event loop alone. */
    private final class Agent {
        final int index;
        final Joining.Member member;
        final EventLoop loop;
        final Connection control;
        final Connection poll;
        final byte[] description;
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        /** The state decided for each assigned task (what the managers hear, sooner or later). */
        final Map<String, TaskState> latest = new HashMap<>();
        /** Not yet taken by the manager: latest per task. */
        final LinkedHashMap<String, TaskState> pending = new LinkedHashMap<>();
        /** Tasks whose running the manager took. */
        final Set<String> running = new HashSet<>();

        String session;
        long sequence;
        long heartbeatMillis = 5_000;
        long retryMillis = FIRST_RETRY_MILLIS;
        boolean opening;
        boolean sending;
        boolean heartbeatScheduled;
        boolean closed;

        /** The views of the networks of the set numbered {@link #sequence}. */
        final HeldViews views = new HeldViews();

        Agent(int index, Joining.Member member, EventLoop loop, SslContext tls) {
            this.index = index;
            this.member = member;
            this.loop = loop;
            this.control = new Connection(loop, tls);
            this.poll = new Connection(loop, tls);
            this.description = Json.bytes(member.description());
        }

        void openSession() {
            if (opening || closed) {
                return;
            }
            opening = true;
            session = null;
            control.send(HttpMethod.POST, "/dispatcher/sessions", description, (status, body) -> {
                opening = false;
                if (status != 200) {
                    failed(member.nodeId() + ": open session: " + status + " " + text(body));
                    retry(this::openSession);
                    return;
                }
                Wire.Opened o;
                try {
                    o = Wire.opened(new ByteBufInputStream(body));
                } catch (IOException e) {
                    failed(member.nodeId() + ": open session: " + e.getMessage());
                    retry(this::openSession);
                    return;
                }
                retryMillis = FIRST_RETRY_MILLIS;
                session = o.sessionId();
                heartbeatMillis = o.heartbeatMillis();
                sequence = 0;
                pending.putAll(latest); // a new session hears every task's latest state
                scheduleHeartbeat();
                fetch();
                flush();
                opened.complete(null);
            });
        }

        /** Session lost (the manager forgot it): a new one, unless that is under way. */
        void lost(String id) {
            if (id.equals(session)) {
                openSession();
            }
        }

        void fetch() {
            String id = session;
            if (id == null || closed) {
                return;
            }
            poll.send(
                    HttpMethod.GET,
                    "/dispatcher/sessions/" + id + "/assignments?after=" + sequence,
                    null,
                    (status, body) -> {
                        if (!id.equals(session)) {
                            return; // a fetch of an older session; the new one fetches on its own
                        }
                        if (status == 404) {
                            lost(id);
                            return;
                        }
                        if (status != 200) {
                            failed(member.nodeId() + ": fetch: " + status + " " + text(body));
                            retry(this::fetch);
                            return;
                        }
                        Wire.Fetched f;
                        try {
                            f = Wire.fetched(new ByteBufInputStream(body));
                        } catch (IOException e) {
                            failed(member.nodeId() + ": fetch: " + e.getMessage());
                            retry(this::fetch);
                            return;
                        }
                        if (f.sequence() != sequence) {
                            taskSets.increment();
                            taskSetTasks.add(f.tasks().size());
                            taskSetBytes.add(body.writerIndex());
                            if (!views.apply(f.views(), sequence)) {
                                sequence = 0; // changes to views this agent does not hold: fetch them whole
                                fetch();
                                return;
                            }
                            sequence = f.sequence();
                            assign(f.tasks());
                            noteSeen();
                        }
                        fetch();
                    });
        }

        /** The node's whole task set: new tasks start (at once), known ones follow their desired state. */
        void assign(List<Wire.Assigned> tasks) {
            Set<String> seen = new HashSet<>(tasks.size() * 2);
            for (Wire.Assigned t : tasks) {
                seen.add(t.id());
                TaskState known = latest.get(t.id());
                if (known == null && (t.desired() == null || !t.desired().isAfter(TaskState.RUNNING))) {
                    delivered.increment();
                }
                TaskState next = Wire.next(known, t.desired());
                if (next != null) {
                    latest.put(t.id(), next);
                    pending.put(t.id(), next);
                }
            }
            if (seen.size() != latest.size()) {
                latest.keySet().retainAll(seen);
                pending.keySet().retainAll(seen);
                running.retainAll(seen);
            }
            flush();
        }

        /** Notes the moment this agent's views first hold what the fan-out phase watches for. */
        void noteSeen() {
            long count = expected;
            if (count != Long.MAX_VALUE
                    && views.running() >= count
                    && views.peers() >= count
                    && seenAt.compareAndSet(index, 0, System.nanoTime())) {
                seen.increment();
            }
        }

        /** Sends what is pending, in one report, unless one is in flight (its answer sends the rest). */
        void flush() {
            String id = session;
            if (sending || id == null || pending.isEmpty() || closed) {
                return;
            }
            sending = true;
            List<Map.Entry<String, TaskState>> batch = new ArrayList<>(pending.size());
            pending.forEach((task, state) -> batch.add(Map.entry(task, state)));
            if (expected != Long.MAX_VALUE
                    && pending.containsValue(TaskState.RUNNING)
                    && runningAt.compareAndSet(0, System.nanoTime())) {
                runningOn = index; // the watched task is running on this node
            }
            byte[] body = Wire.statusBatch(batch, Instant.now().toString());
            control.send(HttpMethod.POST, "/dispatcher/sessions/" + id + "/status", body, (status, answer) -> {
                sending = false;
                if (status == 204) {
                    reports.increment();
                    reportedStates.add(batch.size());
                    for (Map.Entry<String, TaskState> e : batch) {
                        pending.remove(e.getKey(), e.getValue());
                        if (e.getValue() == TaskState.RUNNING
                                && latest.containsKey(e.getKey())
                                && running.add(e.getKey())) {
                            reported.increment();
                        }
                    }
                    flush();
                } else if (status == 404) {
                    lost(id);
                } else {
                    failed(member.nodeId() + ": status: " + status + " " + text(answer));
                    retry(this::flush);
                }
            });
        }

        void scheduleHeartbeat() {
            if (heartbeatScheduled || closed) {
                return;
            }
            heartbeatScheduled = true;
            loop.schedule(
                    () -> {
                        heartbeatScheduled = false;
                        heartbeat();
                        scheduleHeartbeat();
                    },
                    heartbeatMillis,
                    TimeUnit.MILLISECONDS);
        }

        void heartbeat() {
            String id = session;
            if (id == null || closed) {
                return; // a session being opened says the node is alive
            }
            control.send(HttpMethod.POST, "/dispatcher/sessions/" + id + "/heartbeat", null, (status, body) -> {
                if (status == 200) {
                    try {
                        heartbeatMillis = Wire.heartbeatMillis(new ByteBufInputStream(body));
                    } catch (IOException e) {
                        failed(member.nodeId() + ": heartbeat: " + e.getMessage());
                    }
                } else if (status == 404) {
                    lost(id);
                } else {
                    failed(member.nodeId() + ": heartbeat: " + status + " " + text(body));
                }
            });
        }

        void retry(Runnable action) {
            long delay = retryMillis;
            retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
            loop.schedule(action, delay, TimeUnit.MILLISECONDS);
        }

        void close() {
            closed = true;
            control.close();
            poll.close();
        }
    }

    private static String text(ByteBuf body) {
        return body == null ? "(connection failed)" : body.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What a call's answer is handed to: its status and body, or -1 and null when the connection failed. */
    @FunctionalInterface
    private interface Answer {
        void handle(int status, ByteBuf body);
    }

    /**
     * One HTTP/1.1 connection over TLS to the manager, one call at a time (the others wait their turn), connected
     * when a call needs it and again after it drops. Used on its event loop alone.
     */
    private final class Connection {
        private record Call(FullHttpRequest request, Answer answer) {}

        private final EventLoop loop;
        private final SslContext tls;
        private final ArrayDeque<Call> queue = new ArrayDeque<>();
        private Channel channel;
        private Call inFlight;
        private boolean connecting;
        private boolean closed;

        Connection(EventLoop loop, SslContext tls) {
            this.loop = loop;
            this.tls = tls;
        }

        void send(HttpMethod method, String uri, byte[] body, Answer answer) {
            FullHttpRequest request = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1,
                    method,
                    uri,
                    body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            request.headers().set(HttpHeaderNames.HOST, host + ":" + port);
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
            if (body != null) {
                request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            }
            queue.add(new Call(request, answer));
            next();
        }

        private void next() {
            if (inFlight != null || queue.isEmpty() || closed) {
                return;
            }
            if (channel == null || !channel.isActive()) {
                connect();
                return;
            }
            inFlight = queue.poll();
            channel.writeAndFlush(inFlight.request()).addListener(f -> {
                if (!f.isSuccess()) {
                    channel.close();
                }
            });
        }

        private void connect() {
            if (connecting) {
                return;
            }
            connecting = true;
            ChannelFuture f = new Bootstrap()
                    .group(loop)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(
                                            tls.newHandler(ch.alloc(), host, port),
                                            new HttpClientCodec(),
                                            new HttpObjectAggregator(MAX_BODY),
                                            new Handler());
                        }
                    })
                    .connect(host, port);
            f.addListener(done -> {
                connecting = false;
                if (done.isSuccess()) {
                    channel = f.channel();
                    next();
                } else {
                    failed("connect: " + done.cause());
                    List<Call> calls = new ArrayList<>(queue);
                    queue.clear();
                    calls.forEach(c -> c.answer().handle(-1, null));
                }
            });
        }

        void close() {
            closed = true;
            if (channel != null) {
                channel.close();
            }
        }

        private final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                Call call = inFlight;
                inFlight = null;
                if (call != null) {
                    call.answer().handle(response.status().code(), response.content());
                }
                next();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (ctx.channel() != channel) {
                    return; // an older connection, already replaced
                }
                channel = null;
                Call call = inFlight;
                inFlight = null;
                if (call != null && !closed) {
                    failed("connection dropped during " + call.request().method() + " "
                            + call.request().uri());
                    call.answer().handle(-1, null);
                }
                next();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failed("connection: " + cause);
                ctx.close();
            }
        }
    }
}
