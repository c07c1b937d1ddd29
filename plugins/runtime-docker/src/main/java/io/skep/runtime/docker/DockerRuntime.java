package io.skep.runtime.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.WaitResponse;
import io.skep.spi.runtime.RuntimeCapability;
import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskExit;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskMount;
import io.skep.spi.runtime.TaskRejectedException;
import io.skep.spi.runtime.TaskResources;
import io.skep.spi.runtime.TaskRuntime;
import io.skep.spi.runtime.TaskRuntimeException;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The docker runtime opened on one node. It keeps nothing the engine does not hold: a task's container carries
 * its task ID, its node's ID and its stop settings as labels, so {@link #recover} finds the node's containers by
 * label, and a second node on the same engine never sees them.
 */
final class DockerRuntime implements TaskRuntime {

    /** The ID of the task a container runs. */
    static final String TASK_ID_LABEL = "io.skep.task.id";
    /** The ID of the node that owns a container: recover() finds only its own node's. */
    static final String NODE_ID_LABEL = "io.skep.node.id";
    /** The signal that asks the task to stop, for a runtime that adopts the container after a restart. */
    static final String STOP_SIGNAL_LABEL = "io.skep.stop-signal";
    /** The grace period after the stop signal, in milliseconds (the engine's StopTimeout has whole seconds). */
    static final String STOP_GRACE_LABEL = "io.skep.stop-grace-ms";

    /** How long prepare() lets the engine pull a missing image. */
    static final Duration PULL_TIMEOUT = Duration.ofMinutes(2);

    private static final System.Logger LOG = System.getLogger(DockerRuntime.class.getPackageName());

    private final RuntimeContext context;
    private final Engine engine;
    private final DockerClient docker;
    /** Bounds the containers started, stopped and removed at once. */
    private final EngineSlots slots;
    /** The tasks this run of the runtime watches, by container ID. */
    private final ConcurrentHashMap<String, DockerTask> tasks = new ConcurrentHashMap<>();
    /** Re-arms the waits that the engine cut (a restart of the engine, a broken connection). */
    private final ScheduledExecutorService retries;

    private volatile boolean closed;

    private DockerRuntime(RuntimeContext context, Engine engine, EngineSlots slots) {
        this.context = context;
        this.engine = engine;
        this.docker = engine.client();
        this.slots = slots;
        this.retries = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("skep-docker-retry").unstarted(r));
    }

    /** The runtime on the engine at {@code host}, starting, stopping and removing at most {@code slots} at once. */
    static DockerRuntime open(RuntimeContext context, EngineSlots slots, String host) throws TaskRuntimeException {
        Engine engine = Engine.connect(host);
        try {
            engine.client().pingCmd().exec();
        } catch (RuntimeException e) {
            engine.close();
            throw new TaskRuntimeException("no Docker engine answers at " + host + ": " + Engine.reason(e), e);
        }
        DockerRuntime runtime = new DockerRuntime(context, engine, slots);
        Thread.ofVirtual().name("skep-docker-mappings").start(runtime::prepareMappings);
        return runtime;
    }

    /**
     * Has docker-java build its JSON mappings for what starting, watching and stopping a task exchange with the
     * engine, by writing a task's create request (made by the very code that makes real ones) and reading the
     * answers, without sending anything. Run in the background as the runtime opens; otherwise the first tasks of
     * a fresh node pay for it, in the middle of their start.
     */
    private void prepareMappings() {
        TaskDefinition sample = TaskDefinition.builder("warm-up", "image:latest")
                .taskName("warm-up.1")
                .service("service", "service")
                .slot(1)
                .nodeId(context.nodeId())
                .command(List.of("sh"))
                .args(List.of("-c", "true"))
                .env(List.of("A=1"))
                .workingDir("/")
                .user("0")
                .hostname("host")
                .labels(Map.of("label", "value"))
                .stopSignal(Signals.TERM)
                .resources(new TaskResources(1, 1, 1))
                .mounts(List.of(new TaskMount(TaskMount.Type.TMPFS, "", "/tmp", false)))
                .build();
        ObjectMapper json = engine.config().getObjectMapper();
        try (CreateContainerCmd cmd =
                createCommand(sample, sample.labels(), sample.stopSignal(), sample.stopGracePeriod())) {
            json.writeValueAsBytes(cmd);
            json.readValue("{\"Id\":\"x\",\"Warnings\":[]}", CreateContainerResponse.class);
            json.readValue("{\"StatusCode\":0}", WaitResponse.class);
            json.readValue("{\"State\":{\"Status\":\"exited\",\"ExitCode\":0}}", InspectContainerResponse.class);
            json.readValue("[{\"Id\":\"x\",\"Labels\":{}}]", Container[].class);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "docker-java mappings not prepared: {0}", e.toString());
        }
    }

    DockerClient docker() {
        return docker;
    }

    boolean isClosed() {
        return closed;
    }

    EngineSlots slots() {
        return slots;
    }

    ScheduledExecutorService retries() {
        return retries;
    }

    void forget(DockerTask task) {
        tasks.remove(task.runtimeId(), task);
    }

    /**
     * Checks the task, pulls its image when the engine lacks it, and creates its container (labelled with the task's
     * and this node's IDs and its stop settings, so that a restarted node can adopt it). The container does not run
     * until {@link DockerTask#start}.
     */
    @Override
    public TaskHandle prepare(TaskDefinition definition) throws TaskRuntimeException {
        if (closed) {
            throw new TaskRuntimeException("the docker runtime is closed");
        }
        Optional<String> invalid = DockerRuntimeProvider.check(definition);
        if (invalid.isPresent()) {
            throw new TaskRejectedException(invalid.get());
        }
        String stopSignal = definition.stopSignal();
        Duration grace = definition.stopGracePeriod();

        Map<String, String> labels = new LinkedHashMap<>(definition.labels());
        labels.put(TASK_ID_LABEL, definition.taskId());
        labels.put(NODE_ID_LABEL, context.nodeId());
        labels.put(STOP_SIGNAL_LABEL, stopSignal);
        labels.put(STOP_GRACE_LABEL, Long.toString(grace.toMillis()));

        String id = create(definition, labels, stopSignal, grace);
        DockerTask task = new DockerTask(this, definition.taskId(), id, stopSignal, grace);
        tasks.put(id, task);
        return task;
    }

    @Override
    public Set<RuntimeCapability> capabilities() {
        return EnumSet.of(
                RuntimeCapability.LOGS, RuntimeCapability.EXEC, RuntimeCapability.MOUNTS, RuntimeCapability.NETWORKS);
    }

    /**
     * Creates the task's container, pulling its image first when the engine does not have it. Anything that
     * goes wrong here happens before the task ran: it is rejected (Swarm's "could not be executed here").
     */
    private String create(TaskDefinition launch, Map<String, String> labels, String stopSignal, Duration grace)
            throws TaskRuntimeException {
        try {
            return createInSlot(launch, labels, stopSignal, grace);
        } catch (NotFoundException missing) {
            String reason = Engine.reason(missing);
            if (!reason.startsWith("No such image")) {
                throw new TaskRejectedException(reason, missing); // e.g. a network this engine lacks
            }
            Optional<String> pullFailure = pull(launch.image());
            if (pullFailure.isPresent()) {
                throw new TaskRejectedException(reason + " (pull failed: " + pullFailure.get() + ")", missing);
            }
            try {
                return createInSlot(launch, labels, stopSignal, grace);
            } catch (RuntimeException e) {
                throw new TaskRejectedException(Engine.reason(e), e);
            }
        } catch (RuntimeException e) {
            throw new TaskRejectedException(Engine.reason(e), e);
        }
    }

    /** Creates the container within one of the engine's slots (a pull does not hold one). */
    private String createInSlot(TaskDefinition launch, Map<String, String> labels, String stopSignal, Duration grace)
            throws TaskRuntimeException {
        try (EngineSlots.Slot slot = slots.acquire()) {
            return createContainer(launch, labels, stopSignal, grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskRuntimeException("interrupted while waiting to create the container", e);
        }
    }

    private String createContainer(
            TaskDefinition launch, Map<String, String> labels, String stopSignal, Duration grace) {
        try (CreateContainerCmd cmd = createCommand(launch, labels, stopSignal, grace)) {
            CreateContainerResponse created = cmd.exec();
            for (String warning : created.getWarnings() == null ? new String[0] : created.getWarnings()) {
                LOG.log(Level.INFO, "task {0}: {1}", launch.taskId(), warning);
            }
            return created.getId();
        }
    }

    /** The create request of a task's container, not sent yet. */
    private CreateContainerCmd createCommand(
            TaskDefinition launch, Map<String, String> labels, String stopSignal, Duration grace) {
        HostConfig host = HostConfig.newHostConfig()
                .withRestartPolicy(RestartPolicy.noRestart()); // skep restarts tasks, never the engine
        TaskResources limits = launch.resources();
        if (limits.nanoCpus() > 0) {
            host.withNanoCPUs(limits.nanoCpus());
        }
        if (limits.memoryBytes() > 0) {
            host.withMemory(limits.memoryBytes());
        }
        if (limits.pids() > 0) {
            host.withPidsLimit(limits.pids());
        }
        if (!launch.mounts().isEmpty()) {
            host.withMounts(launch.mounts().stream().map(DockerRuntime::mountOf).toList());
        }
        if (!launch.networks().isEmpty()) {
            // skep's networks, which the agent plumbs into the container's namespace once it runs, replace the
            // engine's default bridge; the task resolves names with the node's service discovery
            host.withNetworkMode("none");
            if (!launch.dnsServers().isEmpty()) {
                host.withDns(launch.dnsServers());
            }
        }
        CreateContainerCmd cmd = docker.createContainerCmd(launch.image());
        cmd.withLabels(labels)
                .withEnv(launch.env())
                .withStopSignal(stopSignal)
                .withStopTimeout(stopTimeoutSeconds(grace))
                .withHostConfig(host);
        if (launch.taskName() != null && !launch.taskName().isEmpty()) {
            cmd.withName(launch.taskName());
        }
        if (!launch.command().isEmpty()) {
            cmd.withEntrypoint(launch.command());
        }
        if (!launch.args().isEmpty()) {
            cmd.withCmd(launch.args());
        }
        if (!launch.hostname().isEmpty()) {
            cmd.withHostName(launch.hostname());
        }
        if (!launch.workingDir().isEmpty()) {
            cmd.withWorkingDir(launch.workingDir());
        }
        if (!launch.user().isEmpty()) {
            cmd.withUser(launch.user());
        }
        return cmd;
    }

    private static Mount mountOf(TaskMount m) {
        Mount mount = new Mount().withTarget(m.target()).withReadOnly(m.readOnly());
        return switch (m.type()) {
            case BIND -> mount.withType(MountType.BIND).withSource(m.source());
            case VOLUME ->
                m.source().isEmpty()
                        ? mount.withType(MountType.VOLUME)
                        : mount.withType(MountType.VOLUME).withSource(m.source());
            case TMPFS -> mount.withType(MountType.TMPFS);
        };
    }

    /** The engine's StopTimeout: whole seconds, rounded up (it is used only by a docker stop from outside). */
    private static int stopTimeoutSeconds(Duration grace) {
        long seconds = (grace.toMillis() + 999) / 1000;
        return (int) Math.min(Integer.MAX_VALUE, seconds);
    }

    /**
     * Pulls {@code image} within {@link #PULL_TIMEOUT}, with the registry credentials of the docker CLI's
     * configuration where it has some.
     *
     * @return why the pull failed, or empty when the image is there
     */
    private Optional<String> pull(String image) {
        PullCallback callback = new PullCallback();
        try {
            String[] repositoryAndTag = ImageReference.repositoryAndTag(image);
            // an empty tag would pull every tag of the repository
            PullImageCmd cmd = docker.pullImageCmd(repositoryAndTag[0]).withTag(repositoryAndTag[1]);
            AuthConfig auth = authFor(image);
            if (auth != null) {
                cmd.withAuthConfig(auth);
            }
            cmd.exec(callback);
            if (!callback.done.await(PULL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                callback.close();
                return Optional.of("no result within " + PULL_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.close();
            return Optional.of("interrupted");
        } catch (RuntimeException e) {
            callback.close();
            return Optional.of(Engine.reason(e));
        }
        return Optional.ofNullable(callback.failure);
    }

    private AuthConfig authFor(String image) {
        try {
            return engine.config().effectiveAuthConfig(image);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "no registry credentials for {0}: {1}", image, e);
            return null;
        }
    }

    /** Follows a pull: its end, and the engine's error when it reports one in the stream. */
    private static final class PullCallback implements ResultCallback<PullResponseItem> {
        final CountDownLatch done = new CountDownLatch(1);
        volatile String failure;
        private volatile Closeable stream;

        @Override
        public void onStart(Closeable stream) {
            this.stream = stream;
        }

        @Override
        @SuppressWarnings("deprecation") // getError(): the engines that send no errorDetail
        public void onNext(PullResponseItem item) {
            if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
                failure = item.getErrorDetail().getMessage();
            } else if (item.getError() != null) {
                failure = item.getError();
            }
        }

        @Override
        public void onError(Throwable throwable) {
            if (failure == null) {
                failure = Engine.reason(throwable);
            }
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }

        @Override
        public void close() {
            Closeable s = stream;
            if (s != null) {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // the pull is abandoned
                }
            }
            done.countDown();
        }
    }

    /**
     * The containers of this node (labelled with its ID), running or ended but not removed: running ones are
     * adopted and watched until they end; ended ones come back ended, with their exit code.
     */
    @Override
    public List<TaskHandle> recover() {
        if (closed) {
            return List.of();
        }
        List<Container> containers;
        try {
            containers = docker.listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(Map.of(NODE_ID_LABEL, context.nodeId()))
                    .exec();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot list the containers of node {0}: {1}", context.nodeId(), Engine.reason(e));
            return List.of();
        }
        List<TaskHandle> found = new ArrayList<>();
        for (Container c : containers) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            String taskId = labels.get(TASK_ID_LABEL);
            if (taskId == null || !context.nodeId().equals(labels.get(NODE_ID_LABEL))) {
                continue;
            }
            DockerTask task = tasks.get(c.getId());
            if (task == null) {
                Optional<DockerTask> adopted = adopt(c.getId(), taskId, labels);
                if (adopted.isEmpty()) {
                    continue; // removed meanwhile
                }
                task = tasks.putIfAbsent(c.getId(), adopted.get());
                if (task == null) {
                    task = adopted.get();
                    task.watch();
                }
            }
            found.add(task);
        }
        return found;
    }

    /** A handle on a container found by recover(): running, or ended with its exit code. */
    private Optional<DockerTask> adopt(String id, String taskId, Map<String, String> labels) {
        String signal = labels.getOrDefault(STOP_SIGNAL_LABEL, Signals.TERM);
        if (Signals.parse(signal).isEmpty()) {
            signal = Signals.TERM;
        }
        Duration grace = Duration.ofSeconds(10);
        try {
            grace = Duration.ofMillis(Long.parseLong(labels.getOrDefault(STOP_GRACE_LABEL, "10000")));
        } catch (NumberFormatException ignored) {
            // the default
        }
        InspectContainerResponse inspected;
        try {
            inspected = docker.inspectContainerCmd(id).exec();
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            // the engine is there but does not answer for this one: adopt it; the watch sorts it out
            LOG.log(Level.WARNING, "task {0}: cannot inspect container {1}: {2}", taskId, id, Engine.reason(e));
            return Optional.of(new DockerTask(this, taskId, id, signal, grace));
        }
        DockerTask task = new DockerTask(this, taskId, id, signal, grace);
        task.endIfEnded(inspected);
        return Optional.of(task);
    }

    /** How a container that is no longer running ended, from its inspection; empty while it runs. */
    static Optional<TaskExit> exitOf(InspectContainerResponse inspected) {
        InspectContainerResponse.ContainerState state = inspected.getState();
        if (state == null) {
            return Optional.of(new TaskExit(TaskExit.UNKNOWN, "ended; the engine reports no state"));
        }
        String status = state.getStatus() == null ? "" : state.getStatus();
        if (Boolean.TRUE.equals(state.getRunning())
                || Boolean.TRUE.equals(state.getRestarting())
                || status.equals("running")
                || status.equals("paused")
                || status.equals("restarting")) {
            return Optional.empty();
        }
        if (status.equals("created")) {
            return Optional.of(new TaskExit(TaskExit.UNKNOWN, "never started (container created, not started)"));
        }
        Long code = state.getExitCodeLong();
        if (code == null) {
            return Optional.of(new TaskExit(TaskExit.UNKNOWN, "ended (" + status + "); exit status unknown"));
        }
        return Optional.of(Signals.exitOf(code, Boolean.TRUE.equals(state.getOOMKilled()), state.getError()));
    }

    /** Stops watching the tasks; their containers keep running, for the next run of the node to recover. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        retries.shutdownNow();
        tasks.values().forEach(DockerTask::unwatch);
        tasks.clear();
        engine.close();
    }
}
