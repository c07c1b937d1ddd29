package io.skep.bench.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Connections that keep a node waiting, held open while the fuzzer's other requests run: slow ones (a request that
 * comes a byte every 200 ms and never ends: slowloris), half-open ones (half a request, then the client's side shut;
 * over TLS, where a side cannot be shut alone, half a request and silence) and idle ones (nothing sent). The node must
 * close every one of them by itself, and serve everyone else meanwhile.
 */
final class SlowClients implements AutoCloseable {
    private static final Duration DRIP = Duration.ofMillis(200);

    /** One connection held: what kind, where, and when the node closed it (-1 while open). */
    private static final class Held {
        final String kind;
        final Target target;
        final Socket socket;
        final long opened = System.nanoTime();
        volatile long closedAfterNanos = -1;

        Held(String kind, Target target, Socket socket) {
            this.kind = kind;
            this.target = target;
            this.socket = socket;
        }
    }

    /** What became of the connections held. */
    record Outcome(int held, int closedByNode, Duration longest, String open) {}

    private final List<Held> held = new CopyOnWriteArrayList<>();
    private final CountDownLatch allClosed;
    private volatile boolean stopping;
    private Thread dripper;

    /** Opens {@code each} connections of each kind to each target, and starts dripping. */
    SlowClients(List<Target> targets, int each) throws IOException {
        allClosed = new CountDownLatch(targets.size() * each * 3);
        for (Target t : targets) {
            for (int i = 0; i < each; i++) {
                hold(
                        "slow",
                        t,
                        "POST /v1.41/services/create HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n");
                hold("half-open", t, "GET /v1.41/info HTTP/1.1\r\nHost: fu");
                hold("idle", t, "");
            }
        }
        dripper = Thread.ofVirtual().name("fuzz-drip").start(this::drip);
    }

    int count() {
        return held.size();
    }

    private void hold(String kind, Target target, String first) throws IOException {
        Socket s = target.open(Duration.ofMinutes(5));
        Held h = new Held(kind, target, s);
        held.add(h);
        if (!first.isEmpty()) {
            s.getOutputStream().write(first.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
        }
        if (kind.equals("half-open") && target.tls() == null) {
            s.shutdownOutput();
        }
        Thread.ofVirtual().name("fuzz-held").start(() -> {
            try (InputStream in = s.getInputStream()) {
                while (in.read() >= 0) {
                    // an answer (a refusal) may come before the close
                }
            } catch (IOException reset) {
                // closed by the node, as hoped
            }
            if (!stopping) {
                h.closedAfterNanos = System.nanoTime() - h.opened;
            }
            allClosed.countDown();
        });
    }

    /** A header byte every 200 ms on every slow connection, never the end of the headers. */
    private void drip() {
        byte[] x = "X".getBytes(StandardCharsets.US_ASCII);
        while (!stopping) {
            for (Held h : held) {
                if (h.kind.equals("slow") && h.closedAfterNanos < 0) {
                    try {
                        h.socket.getOutputStream().write(x);
                        h.socket.getOutputStream().flush();
                    } catch (IOException closed) {
                        // the node cut it: the reader records when
                    }
                }
            }
            try {
                Thread.sleep(DRIP); // the slow client's pace
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Waits up to {@code within} for the node to close every connection held; then says what became of them. */
    Outcome await(Duration within) throws InterruptedException {
        allClosed.await(within.toMillis(), TimeUnit.MILLISECONDS);
        long longest = 0;
        int closed = 0;
        List<String> open = new ArrayList<>();
        for (Held h : held) {
            if (h.closedAfterNanos >= 0) {
                closed++;
                longest = Math.max(longest, h.closedAfterNanos);
            } else {
                open.add(h.kind + " to " + h.target);
            }
        }
        return new Outcome(held.size(), closed, Duration.ofNanos(longest), String.join(", ", open));
    }

    @Override
    public void close() {
        stopping = true;
        if (dripper != null) {
            dripper.interrupt();
        }
        for (Held h : held) {
            try {
                h.socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
