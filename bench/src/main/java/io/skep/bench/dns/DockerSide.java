package io.skep.bench.dns;

import io.skep.bench.FileTrees;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * The baseline: Docker's embedded DNS on a user-defined bridge network. Two containers of a {@code FROM scratch}
 * busybox image on a network made for the run: the client, whose network namespace the generator joins to ask
 * 127.0.0.11:53 (which the engine's NAT rules in that namespace send to dockerd's resolver), and the target, whose
 * network alias {@value #NAME} is the name asked for.
 */
final class DockerSide {
    /** The target container's network alias: the name asked for. */
    static final String NAME = "target";
    /** The label on everything the run creates (as the Docker engine scenario labels its own). */
    static final String RUN_LABEL = "io.skep.bench.run";

    private static final InetSocketAddress EMBEDDED_DNS = new InetSocketAddress(DnsLoad.ipv4("dns", "127.0.0.11"), 53);

    private DockerSide() {}

    /** The image: busybox, sleeping; nothing else. */
    static String dockerfile() {
        return """
                FROM scratch
                COPY busybox /bin/busybox
                CMD ["/bin/busybox", "sleep", "86400"]
                """;
    }

    /**
     * Builds the image, makes the network and starts both containers; registers how to undo each step with
     * {@code undo} before it is done.
     */
    static Target start(String id, String docker, Path busybox, String subnet, Undo undo)
            throws IOException, InterruptedException {
        String image = "skep-bench-dns-" + id + "/sleeper:1";
        String network = "skepbench-dns-" + id;
        Path context = Files.createTempDirectory("skep-dns-bench-image");
        try {
            Files.copy(busybox, context.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            Files.writeString(context.resolve("Dockerfile"), dockerfile(), StandardCharsets.UTF_8);
            undo.add("remove the image " + image, () -> Commands.run(Commands.TIMEOUT, docker, "rmi", "-f", image));
            Commands.ok(
                    Duration.ofMinutes(5),
                    docker,
                    "build",
                    "-q",
                    "--label",
                    RUN_LABEL + "=" + id,
                    "-t",
                    image,
                    context.toString());
        } finally {
            FileTrees.deleteRecursively(context);
        }
        undo.add(
                "remove the network " + network,
                () -> Commands.run(Commands.TIMEOUT, docker, "network", "rm", network));
        Commands.ok(
                docker,
                "network",
                "create",
                "--driver",
                "bridge",
                "--subnet",
                subnet,
                "--label",
                RUN_LABEL + "=" + id,
                network);
        String target = network + "-target";
        String client = network + "-client";
        for (String container : new String[] {target, client}) {
            undo.add(
                    "remove the container " + container,
                    () -> Commands.run(Commands.TIMEOUT, docker, "rm", "-f", container));
        }
        Commands.ok(
                docker,
                "run",
                "-d",
                "--name",
                target,
                "--network",
                network,
                "--network-alias",
                NAME,
                "--label",
                RUN_LABEL + "=" + id,
                image);
        Commands.ok(
                docker, "run", "-d", "--name", client, "--network", network, "--label", RUN_LABEL + "=" + id, image);
        String address = Commands.ok(
                docker, "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", target);
        String pid = Commands.ok(docker, "inspect", "-f", "{{.State.Pid}}", client);
        Optional<ProcessHandle> dockerd = dockerd();
        return new Target(
                Path.of("/proc", pid, "ns", "net"),
                EMBEDDED_DNS,
                NAME,
                DnsLoad.ipv4("the target's address", address),
                () -> dockerd.flatMap(p -> p.info().totalCpuDuration()).orElse(null));
    }

    /** The engine's process, when it runs on this machine (its resolver's CPU time is the engine's). */
    private static Optional<ProcessHandle> dockerd() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info()
                        .command()
                        .map(c -> c.equals("dockerd") || c.endsWith("/dockerd"))
                        .orElse(false))
                .findFirst();
    }
}
