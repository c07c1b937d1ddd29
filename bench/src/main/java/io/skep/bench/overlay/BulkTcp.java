package io.skep.bench.overlay;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Bulk TCP inside tasks, run by the scenario as a JVM of its own in a task's network namespace:
 * {@code sink PORT} takes one connection after another, reads each to its end and answers with the count of bytes it
 * read; {@code send HOST PORT BYTES} sends that many bytes, half-closes, waits for the count and prints
 * {@code BYTES NANOS}: the time from before the connection to the sink's count, so that it covers the whole delivery
 * and none of the JVM's start. (busybox's {@code nc} copies through a buffer of a few KiB: on this machine it is
 * the bottleneck at about 300 MiB/s even over loopback, which would hide what the network path costs.)
 */
public final class BulkTcp {
    private static final int CHUNK = 1 << 20;

    private BulkTcp() {}

    /** The command line of a sink task: this class in a small JVM of the scenario's own Java and jar. */
    static List<String> sinkCommand(int port) {
        return jvm("sink", Integer.toString(port));
    }

    /** The command line that sends {@code bytes} to the sink at {@code host}. */
    static List<String> sendCommand(String host, int port, long bytes) {
        return jvm("send", host, Integer.toString(port), Long.toString(bytes));
    }

    private static List<String> jvm(String... args) {
        List<String> line = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", // starts sooner; the loops are system calls
                "-cp",
                classPath(),
                BulkTcp.class.getName()));
        line.addAll(List.of(args));
        return line;
    }

    /** Where this class was loaded from: {@code benchmarks.jar} (or the classes directory). */
    private static String classPath() {
        try {
            return Path.of(BulkTcp.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code command} as one line of {@code sh}, each word single-quoted. */
    static String shellLine(List<String> command) {
        return String.join(
                " ",
                command.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
    }

    /** The rate a sender printed ({@code BYTES NANOS}, its last line), in MiB/s. */
    static double mibPerSecond(String output) {
        String[] lines = output.strip().split("\n");
        String[] words = lines[lines.length - 1].strip().split(" ");
        try {
            if (words.length == 2) {
                return Long.parseLong(words[0]) / (double) (1 << 20) / (Long.parseLong(words[1]) / 1e9);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalStateException("not a sender's BYTES NANOS: '" + output.strip() + "'");
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("sink")) {
            sink(Integer.parseInt(args[1]));
        } else if (args.length == 4 && args[0].equals("send")) {
            long bytes = Long.parseLong(args[3]);
            long nanos = send(args[1], Integer.parseInt(args[2]), bytes);
            System.out.println(bytes + " " + nanos);
        } else {
            System.err.println("usage: BulkTcp sink PORT | BulkTcp send HOST PORT BYTES");
            System.exit(2);
        }
    }

    /** Serves connections on {@code port} one at a time, for ever. */
    static void sink(int port) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port));
            sink(server);
        }
    }

    /** Serves connections one at a time until {@code server} is closed. */
    static void sink(ServerSocket server) {
        byte[] buffer = new byte[CHUNK];
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                long read = 0;
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    read += n;
                }
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeLong(read);
                out.flush();
            } catch (IOException e) {
                // that sender went away (or the server was closed): serve the next one
            }
        }
    }

    /** Sends {@code bytes} zero bytes; returns the nanoseconds until the sink had them all. */
    static long send(String host, int port, long bytes) throws IOException {
        byte[] zeros = new byte[CHUNK];
        long start = System.nanoTime();
        try (Socket s = new Socket(host, port)) {
            OutputStream out = s.getOutputStream();
            for (long left = bytes; left > 0; left -= CHUNK) {
                out.write(zeros, 0, (int) Math.min(CHUNK, left));
            }
            s.shutdownOutput();
            long received = new DataInputStream(s.getInputStream()).readLong();
            long nanos = System.nanoTime() - start;
            if (received != bytes) {
                throw new IOException("the sink read " + received + " bytes of " + bytes);
            }
            return nanos;
        }
    }
}
