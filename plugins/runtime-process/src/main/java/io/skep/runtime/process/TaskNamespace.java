package io.skep.runtime.process;

import io.skep.spi.runtime.TaskRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The network namespace of a task on networks: a named namespace ({@code ip netns add}) made when the task is
 * prepared, so that the agent plumbs the task's networks in before its process starts, and deleted when the task is
 * removed. The process enters it through {@code ip netns exec}, which execs in place (the PID stays the task's) and
 * puts the namespace's own {@code /etc/netns/<name>/resolv.conf} in the task's view of {@code /etc/resolv.conf}:
 * the task resolves with the name servers it was given.
 *
 * @param ip   iproute2's {@code ip}
 * @param name the namespace's name, {@code skep-task-<task id>}
 */
record TaskNamespace(Path ip, String name) {

    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private static final Path ETC_NETNS = Path.of("/etc/netns");
    private static final long COMMAND_TIMEOUT_SECONDS = 10;

    static TaskNamespace of(Path ip, String taskId) {
        return new TaskNamespace(ip, "skep-task-" + taskId);
    }

    /** The namespace as a file. */
    Path path() {
        return NETNS_DIR.resolve(name);
    }

    /** The words that run a command inside the namespace: {@code ip netns exec <name>}. */
    List<String> enter() {
        return List.of(ip.toString(), "netns", "exec", name);
    }

    /** Makes the namespace (with its loopback up) and its resolv.conf; made again over what an earlier try left. */
    void create(List<String> dnsServers) throws TaskRuntimeException {
        if (!Files.exists(path())) {
            run("netns", "add", name);
        }
        run("-n", name, "link", "set", "lo", "up");
        if (!dnsServers.isEmpty()) {
            StringBuilder conf = new StringBuilder("# written by skep: the task's service discovery\n");
            dnsServers.forEach(s -> conf.append("nameserver ").append(s).append('\n'));
            conf.append("options ndots:0\n");
            try {
                Files.createDirectories(ETC_NETNS.resolve(name));
                Files.writeString(ETC_NETNS.resolve(name).resolve("resolv.conf"), conf, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new TaskRuntimeException("cannot write the resolv.conf of namespace " + name + ": " + e, e);
            }
        }
    }

    /** Deletes the namespace and its files; nothing when they are gone already. */
    void delete() throws TaskRuntimeException {
        if (Files.exists(path())) {
            run("netns", "delete", name);
        }
        Path etc = ETC_NETNS.resolve(name);
        try {
            if (Files.isDirectory(etc)) {
                TaskRecord.deleteTree(etc);
            }
        } catch (IOException e) {
            throw new TaskRuntimeException("cannot remove " + etc + ": " + e, e);
        }
    }

    private void run(String... args) throws TaskRuntimeException {
        List<String> command = new ArrayList<>();
        command.add(ip.toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TaskRuntimeException(
                        String.join(" ", command) + ": no answer within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new TaskRuntimeException(String.join(" ", command) + " (exit " + p.exitValue() + "): "
                        + new String(out, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new TaskRuntimeException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskRuntimeException(String.join(" ", command) + ": interrupted", e);
        }
    }
}
