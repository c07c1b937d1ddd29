package io.skep.runtime.process;

import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskRuntime;
import io.skep.spi.runtime.TaskRuntimeException;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The process runtime opened on one node. Each task runs as
 * {@code env --default-signal -- setsid -- [setpriv --reuid=U --regid=G --init-groups --] COMMAND ARGS...}: each
 * of these tools execs the next in the same process, so the task keeps the PID Java reports, leads a session of
 * its own (a Ctrl-C on a foreground node does not reach it), starts with default signal handling and, when asked,
 * as another user. Its state lives in {@code <stateDir>/tasks/<taskId>/}: {@code task.properties},
 * {@code stdout.log}, {@code stderr.log}.
 */
final class ProcessRuntime implements TaskRuntime {

    /** The PATH of a task whose environment sets none: Docker's default. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    static final String STDOUT = "stdout.log";
    static final String STDERR = "stderr.log";

    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** How long start() waits for the launch tools to exec the task itself. */
    private static final long EXEC_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final System.Logger LOG = System.getLogger(ProcessRuntime.class.getPackageName());

    private final RuntimeContext context;
    private final Path tasksDir;
    private final Tools tools;
    private final Users users;
    private final long selfUid;
    private final long selfGid;
    private final ConcurrentHashMap<String, ProcessTask> tasks = new ConcurrentHashMap<>();
    private volatile boolean closed;

    ProcessRuntime(RuntimeContext context, Path tasksDir, Tools tools, Users users) {
        this.context = context;
        this.tasksDir = tasksDir;
        this.tools = tools;
        this.users = users;
        long[] ids = ProcFs.selfIds();
        this.selfUid = ids[0];
        this.selfGid = ids[1];
    }

    static ProcessRuntime open(RuntimeContext context) throws TaskRuntimeException {
        Path tasksDir = context.stateDir().resolve("tasks");
        try {
            Files.createDirectories(tasksDir);
        } catch (IOException e) {
            throw new TaskRuntimeException(
                    "cannot create the process runtime's state directory " + tasksDir + ": " + e, e);
        }
        Tools tools = Tools.detect();
        if (tools.setsid().isEmpty()) {
            LOG.log(
                    Level.WARNING,
                    "setsid (util-linux) is not installed: tasks share the node's session,"
                            + " and a stop cannot reach what a task leaves behind outside its process tree");
        }
        return new ProcessRuntime(context, tasksDir, tools, Users.host());
    }

    Tools tools() {
        return tools;
    }

    boolean isClosed() {
        return closed;
    }

    Path taskDir(String taskId) {
        return tasksDir.resolve(taskId);
    }

    void forget(ProcessTask task) {
        tasks.remove(task.taskId(), task);
    }

    /**
     * Checks the task against this host (working directory, user, executable), builds its command line, and
     * records it in its state directory; nothing runs until {@link PreparedProcess#start}.
     */
    @Override
    public TaskHandle prepare(TaskDefinition launch) throws TaskRuntimeException {
        if (closed) {
            throw new TaskRuntimeException("the process runtime is closed");
        }
        Optional<String> invalid = ProcessRuntimeProvider.check(launch);
        if (invalid.isPresent()) {
            throw new TaskRuntimeException(invalid.get());
        }
        String taskId = launch.taskId();
        if (!TASK_ID.matcher(taskId).matches()) {
            throw new TaskRuntimeException("invalid task ID \"" + taskId + "\"");
        }
        Signals.Signal stopSignal = Signals.parse(launch.stopSignal()).orElseThrow();

        Path workingDir = workingDir(launch.workingDir());
        List<String> setpriv = new ArrayList<>();
        String home = user(launch.user(), setpriv);
        Map<String, String> env = environment(launch, home);
        List<String> argv = new ArrayList<>(launch.command());
        argv.addAll(launch.args());
        Path executable = resolveExecutable(argv.getFirst(), env.get("PATH"), workingDir);

        // env execs setsid, which execs setpriv, which execs the task: one PID all along
        List<String> command = new ArrayList<>();
        List<List<String>> stages = new ArrayList<>(); // the command lines of the launch tools, before the task
        boolean session = tools.setsid().isPresent();
        List<String> tail = new ArrayList<>();
        TaskNamespace namespace = null;
        if (!launch.networks().isEmpty()) {
            namespace = TaskNamespace.of(
                    tools.ip()
                            .orElseThrow(() -> new TaskRuntimeException("the task is on networks, which on the process"
                                    + " runtime need iproute2's ip, which this node lacks")),
                    taskId);
            tail.addAll(namespace.enter());
        }
        if (session) {
            tail.add(tools.setsid().get().toString());
            tail.add("--");
        }
        tail.addAll(setpriv);
        tail.addAll(argv);
        // env would take a first operand holding '=' for a variable to set
        if (tools.envDefaultSignal() && !tail.getFirst().contains("=")) {
            command.add(tools.env().orElseThrow().toString());
            command.add("--default-signal");
            command.add("--");
        }
        command.addAll(tail);
        if (command.size() == argv.size()) {
            // no launch tool: Java itself would look the name up in the node's PATH, not the task's
            command.set(0, executable.toString());
        }
        for (int i = 0; i < command.size() - argv.size(); i++) {
            if (command.get(i).startsWith("/")) {
                stages.add(List.copyOf(command.subList(i, command.size())));
            }
        }

        Path dir = tasksDir.resolve(taskId);
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new TaskRuntimeException("task " + taskId + " already exists on this node");
        } catch (IOException e) {
            throw new TaskRuntimeException("cannot create the state directory of task " + taskId + ": " + e, e);
        }
        Map<String, String> record = new HashMap<>();
        record.put(TaskRecord.TASK_ID, taskId);
        putIfPresent(record, TaskRecord.TASK_NAME, launch.taskName());
        putIfPresent(record, TaskRecord.SERVICE_ID, launch.serviceId());
        putIfPresent(record, TaskRecord.SERVICE_NAME, launch.serviceName());
        record.put(TaskRecord.SLOT, Integer.toString(launch.slot()));
        putIfPresent(record, TaskRecord.NODE_ID, launch.nodeId() == null ? context.nodeId() : launch.nodeId());
        record.put(TaskRecord.STOP_SIGNAL, stopSignal.display());
        record.put(
                TaskRecord.STOP_GRACE_MILLIS,
                Long.toString(launch.stopGracePeriod().toMillis()));
        if (namespace != null) {
            record.put(TaskRecord.NETWORK_NAMESPACE, namespace.name());
        }

        try {
            TaskRecord.write(dir, record); // a restart before the PID is known finds a task that never ran
            if (namespace != null) {
                namespace.create(launch.dnsServers());
            }
        } catch (IOException | TaskRuntimeException e) {
            try {
                TaskRecord.deleteTree(dir);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            deleteNamespace(record);
            throw new TaskRuntimeException("cannot prepare task " + taskId + ": " + e.getMessage(), e);
        }
        return new PreparedProcess(
                this,
                new Launch(
                        taskId,
                        dir,
                        command,
                        stages,
                        workingDir,
                        env,
                        session,
                        stopSignal,
                        launch.stopGracePeriod(),
                        record));
    }

    /** What {@link #prepare} worked out, for {@link #spawn} to run. */
    record Launch(
            String taskId,
            Path dir,
            List<String> command,
            List<List<String>> stages,
            Path workingDir,
            Map<String, String> env,
            boolean session,
            Signals.Signal stopSignal,
            java.time.Duration grace,
            Map<String, String> record) {}

    /** Starts a prepared task's process; returns once it runs the task itself (or has ended). */
    ProcessTask spawn(Launch l) throws TaskRuntimeException {
        if (closed) {
            throw new TaskRuntimeException("the process runtime is closed");
        }
        String taskId = l.taskId();
        Path dir = l.dir();
        List<String> command = l.command();
        Path workingDir = l.workingDir();
        boolean session = l.session();
        Process process = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workingDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(
                            ProcessBuilder.Redirect.appendTo(dir.resolve(STDOUT).toFile()))
                    .redirectError(
                            ProcessBuilder.Redirect.appendTo(dir.resolve(STDERR).toFile()));
            builder.environment().clear();
            builder.environment().putAll(l.env());
            process = builder.start();
            ProcessTask task =
                    ProcessTask.started(this, taskId, dir, process, session, l.stopSignal(), l.grace(), l.record());
            task.recordStart();
            tasks.put(taskId, task);
            task.watch();
            awaitExec(task, process, l.stages());
            return task;
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
                process.onExit().join();
            }
            tasks.remove(taskId);
            try {
                TaskRecord.deleteTree(dir);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new TaskRuntimeException("cannot start task " + taskId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until the launch tools have exec'd the task itself (its command line is no longer one of theirs),
     * so that start() returns with the task running, and checks that the PID is the task's own.
     */
    private static void awaitExec(ProcessTask task, Process process, List<List<String>> stages) {
        long deadline = System.nanoTime() + EXEC_WAIT_NANOS;
        try {
            while (process.isAlive()) {
                List<String> now = ProcFs.cmdline(process.pid());
                if (!now.isEmpty() && !stages.contains(now)) {
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    LOG.log(
                            Level.WARNING,
                            "{0}: still in its launch tools ({1}) after {2} s",
                            task,
                            now,
                            TimeUnit.NANOSECONDS.toSeconds(EXEC_WAIT_NANOS));
                    return;
                }
                process.waitFor(1, TimeUnit.MILLISECONDS); // returns at once when the process ends
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (task.leadsSession()) {
            ProcFs.stat(process.pid())
                    .filter(s -> !s.ended() && s.session() != s.pid())
                    .ifPresent(s -> LOG.log(
                            Level.WARNING,
                            "{0}: the process does not lead its own session (session {1})",
                            task,
                            s.session()));
        }
    }

    private static void putIfPresent(Map<String, String> record, String key, String value) {
        if (value != null && !value.isEmpty()) {
            record.put(key, value);
        }
    }

    private static Path workingDir(String requested) throws TaskRuntimeException {
        String dir = requested.isEmpty() ? "/" : requested;
        Path path;
        try {
            path = Path.of(dir);
        } catch (InvalidPathException e) {
            throw new TaskRuntimeException("working directory \"" + dir + "\" is not a valid path");
        }
        if (!Files.exists(path)) {
            throw new TaskRuntimeException("working directory \"" + dir + "\" does not exist on this node");
        }
        if (!Files.isDirectory(path)) {
            throw new TaskRuntimeException("working directory \"" + dir + "\" is not a directory");
        }
        return path;
    }

    /**
     * Resolves the task's user; adds to {@code setpriv} the tool's command when the task runs as another user.
     *
     * @return the user's home directory
     */
    private String user(String spec, List<String> setpriv) throws TaskRuntimeException {
        if (spec.isEmpty()) {
            return users.homeOf(selfUid).orElseGet(() -> System.getProperty("user.home", "/"));
        }
        Users.Identity who = users.resolve(spec);
        if (who.uid() == selfUid && who.gid() == selfGid) {
            return who.home();
        }
        if (selfUid != 0) {
            throw new TaskRuntimeException("user \"" + spec + "\": the process runtime runs a task as another"
                    + " user only when the node runs as root");
        }
        Path tool = tools.setpriv()
                .orElseThrow(() -> new TaskRuntimeException("user \"" + spec
                        + "\": running a task as another user needs setpriv (util-linux), which this node lacks"));
        setpriv.add(tool.toString());
        setpriv.add("--reuid=" + who.uid());
        setpriv.add("--regid=" + who.gid());
        // the supplementary groups of the passwd entry, as Docker gives them; none for a bare UID
        setpriv.add(who.name().isPresent() ? "--init-groups" : "--clear-groups");
        setpriv.add("--");
        return who.home();
    }

    /** A clean environment, as a container has, not the node's. */
    private static Map<String, String> environment(TaskDefinition launch, String home) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        String hostname = !launch.hostname().isEmpty()
                ? launch.hostname()
                : launch.taskName() != null && !launch.taskName().isEmpty() ? launch.taskName() : launch.taskId();
        env.put("HOSTNAME", hostname);
        env.put("HOME", home);
        for (String entry : launch.env()) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                env.remove(entry); // a bare name: unset
            } else if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    /**
     * Finds the file the task's first word names, as {@code execvp} will in the task's environment, to fail
     * with Docker's words before anything starts.
     */
    static Path resolveExecutable(String name, String path, Path workingDir) throws TaskRuntimeException {
        if (name.contains("/")) {
            Path file;
            try {
                file = workingDir.resolve(name);
            } catch (InvalidPathException e) {
                throw new TaskRuntimeException("exec: \"" + name + "\": invalid path");
            }
            if (!Files.exists(file)) {
                throw new TaskRuntimeException("exec: \"" + name + "\": stat " + name + ": no such file or directory");
            }
            if (Files.isDirectory(file) || !Files.isExecutable(file)) {
                throw new TaskRuntimeException("exec: \"" + name + "\": permission denied");
            }
            return file;
        }
        // execvp searches "/bin:/usr/bin" when PATH is unset; an empty entry is the working directory
        for (String entry : (path == null ? "/bin:/usr/bin" : path).split(":", -1)) {
            try {
                Path file = workingDir.resolve(entry.isEmpty() ? "." : entry).resolve(name);
                if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                    return file;
                }
            } catch (InvalidPathException e) {
                // not a directory name: skip it
            }
        }
        throw new TaskRuntimeException("executable file not found in $PATH: \"" + name + "\"");
    }

    @Override
    public List<TaskHandle> recover() {
        if (closed) {
            throw new IllegalStateException("the process runtime is closed");
        }
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(tasksDir, Files::isDirectory)) {
            stream.forEach(dirs::add);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list the tasks in " + tasksDir, e);
            return List.of();
        }
        dirs.sort(null);
        List<TaskHandle> found = new ArrayList<>();
        for (Path dir : dirs) {
            String taskId = dir.getFileName().toString();
            if (!TASK_ID.matcher(taskId).matches()) {
                continue;
            }
            ProcessTask task = tasks.get(taskId);
            if (task == null) {
                ProcessTask fresh = ProcessTask.recovered(this, taskId, dir);
                task = tasks.putIfAbsent(taskId, fresh);
                if (task == null) {
                    task = fresh;
                    fresh.watch();
                }
            }
            found.add(task);
        }
        return found;
    }

    /** Networks: a task on networks runs in a network namespace of its own, when this node has iproute2. */
    @Override
    public java.util.Set<io.skep.spi.runtime.RuntimeCapability> capabilities() {
        return tools.ip().isPresent()
                ? java.util.Set.of(io.skep.spi.runtime.RuntimeCapability.NETWORKS)
                : java.util.Set.of();
    }

    /** The network namespace a task's record names, as a file. */
    Optional<Path> namespaceOf(Map<String, String> record) {
        String name = record.get(TaskRecord.NETWORK_NAMESPACE);
        return name == null || tools.ip().isEmpty()
                ? Optional.empty()
                : Optional.of(new TaskNamespace(tools.ip().get(), name).path());
    }

    /** Deletes the network namespace a task's record names, if any; a failure is logged (the task is gone). */
    void deleteNamespace(Map<String, String> record) {
        String name = record.get(TaskRecord.NETWORK_NAMESPACE);
        if (name != null && tools.ip().isPresent()) {
            try {
                new TaskNamespace(tools.ip().get(), name).delete();
            } catch (TaskRuntimeException e) {
                LOG.log(Level.WARNING, "cannot delete the network namespace {0}: {1}", name, e.getMessage());
            }
        }
    }

    /** Stops watching the tasks; they keep running, for the next run of the node to recover. */
    @Override
    public void close() {
        closed = true;
        tasks.clear();
    }
}
