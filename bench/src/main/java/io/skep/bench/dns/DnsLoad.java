package io.skep.bench.dns;

import io.skep.bench.ScenarioArgs;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A DNS load generator: one UDP socket keeps a fixed window of A queries for one name outstanding against one server,
 * sending the next query as each reply comes back, and counts the replies that carry the expected address over a
 * fixed time after a warm-up. A query with no reply within the timeout is lost, and its slot is used again.
 *
 * <p>Its own {@code main}, so that the DNS scenario can start it inside another network namespace ({@code nsenter
 * --net=...}: a container's, or one it made); it prints {@value #MEASURING} when the measured time begins and one
 * {@link Result} line at the end. It uses the JDK alone, so it runs from the class path of the bench's classes.
 */
public final class DnsLoad {
    /** The line printed when the measured time begins (the scenario samples the server's CPU time then). */
    static final String MEASURING = "dnsload measuring";

    static final String USAGE = """
            Usage: DnsLoad --server=IP:PORT --name=NAME --expect=IP [--seconds=5] [--warmup=2] [--window=64]
                           [--timeout-ms=1000]
              --server=IP:PORT  the DNS server asked (UDP)
              --name=NAME       the name asked for (an A query, recursion desired)
              --expect=IP       the address a reply must carry to count as answered
              --seconds=N       how long the replies are counted
              --warmup=N        seconds of the same load before, not counted
              --window=N        queries outstanding at once
              --timeout-ms=N    a query with no reply after this long is lost
            """;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final int IDS = 1 << 16;
    /** How often the generator looks for queries past their timeout when no reply wakes it. */
    private static final long POLL_MILLIS = 5;

    private DnsLoad() {}

    /** The command line. */
    record Options(
            InetSocketAddress server,
            String name,
            InetAddress expect,
            Duration measure,
            Duration warmup,
            int window,
            Duration timeout) {

        static Options parse(String... args) {
            InetSocketAddress server = null;
            String name = null;
            InetAddress expect = null;
            long seconds = 5;
            long warmup = 2;
            long window = 64;
            long timeoutMillis = 1000;
            for (String arg : args) {
                if (arg.equals("--help") || arg.equals("-h")) {
                    throw new IllegalArgumentException("");
                }
                int eq = arg.indexOf('=');
                String key = eq < 0 ? arg : arg.substring(0, eq);
                String value = eq < 0 ? "" : arg.substring(eq + 1);
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
                }
                switch (key) {
                    case "--server" -> server = endpoint(key, value);
                    case "--name" -> {
                        DnsWire.query(value); // refuses what is no DNS name
                        name = value;
                    }
                    case "--expect" -> expect = ipv4(key, value);
                    case "--seconds" -> seconds = ScenarioArgs.whole(key, value, 1);
                    case "--warmup" -> warmup = ScenarioArgs.whole(key, value, 0);
                    case "--window" -> window = ScenarioArgs.whole(key, value, 1);
                    case "--timeout-ms" -> timeoutMillis = ScenarioArgs.whole(key, value, 1);
                    default -> throw new IllegalArgumentException("unknown option '" + key + "'");
                }
            }
            if (server == null || name == null || expect == null) {
                throw new IllegalArgumentException("--server, --name and --expect are required");
            }
            if (window > IDS / 2) {
                throw new IllegalArgumentException("--window must be at most " + IDS / 2 + ", got " + window);
            }
            return new Options(
                    server,
                    name,
                    expect,
                    Duration.ofSeconds(seconds),
                    Duration.ofSeconds(warmup),
                    (int) window,
                    Duration.ofMillis(timeoutMillis));
        }

        /** The arguments that give these options back (how the scenario starts a generator). */
        String[] toArgs() {
            return new String[] {
                "--server=" + server.getAddress().getHostAddress() + ":" + server.getPort(),
                "--name=" + name,
                "--expect=" + expect.getHostAddress(),
                "--seconds=" + measure.toSeconds(),
                "--warmup=" + warmup.toSeconds(),
                "--window=" + window,
                "--timeout-ms=" + timeout.toMillis()
            };
        }
    }

    /** An IPv4 literal (never a name: nothing is looked up). */
    static InetAddress ipv4(String option, String value) {
        if (!IPV4.matcher(value).matches()) {
            throw new IllegalArgumentException(option + ": not an IPv4 address: '" + value + "'");
        }
        try {
            return InetAddress.getByName(value);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(option + ": not an IPv4 address: '" + value + "'");
        }
    }

    private static InetSocketAddress endpoint(String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(option + ": expected IP:PORT, got '" + value + "'");
        }
        long port = ScenarioArgs.whole(option + " port", value.substring(colon + 1), 1);
        if (port > 65535) {
            throw new IllegalArgumentException(option + ": no port " + port);
        }
        return new InetSocketAddress(ipv4(option, value.substring(0, colon)), (int) port);
    }

    /**
     * What one run measured: replies with the expected address, queries lost, other replies, over {@code seconds};
     * the median and 99th percentile of the answered queries' round trips; the generator's own CPU time per answered
     * query (NaN when unknown), which tells whether the generator, rather than the server, set the pace.
     */
    record Result(
            long answered,
            long lost,
            long wrong,
            double seconds,
            long p50Micros,
            long p99Micros,
            double generatorCpuMicrosPerQuery) {
        static final String PREFIX = "dnsload result";

        double qps() {
            return seconds > 0 ? answered / seconds : 0;
        }

        /** One line of {@code key=value} pairs after {@value #PREFIX}. */
        String line() {
            return String.format(
                    Locale.ROOT,
                    "%s answered=%d lost=%d wrong=%d seconds=%.3f qps=%.1f p50_us=%d p99_us=%d gen_cpu_us=%.2f",
                    PREFIX,
                    answered,
                    lost,
                    wrong,
                    seconds,
                    qps(),
                    p50Micros,
                    p99Micros,
                    generatorCpuMicrosPerQuery);
        }

        /** The result a {@link #line()} holds; refused, naming what is missing, when it holds none. */
        static Result parse(String line) {
            if (!line.startsWith(PREFIX + " ")) {
                throw new IllegalArgumentException("not a dnsload result: '" + line + "'");
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String pair : line.substring(PREFIX.length()).trim().split("\\s+")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            try {
                return new Result(
                        Long.parseLong(required(values, "answered")),
                        Long.parseLong(required(values, "lost")),
                        Long.parseLong(required(values, "wrong")),
                        Double.parseDouble(required(values, "seconds")),
                        Long.parseLong(required(values, "p50_us")),
                        Long.parseLong(required(values, "p99_us")),
                        Double.parseDouble(required(values, "gen_cpu_us")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a dnsload result with a bad number: '" + line + "'", e);
            }
        }

        private static String required(Map<String, String> values, String key) {
            String value = values.get(key);
            if (value == null) {
                throw new IllegalArgumentException("a dnsload result without " + key);
            }
            return value;
        }
    }

    public static void main(String[] args) {
        io.skep.bench.Driver.main(args, USAGE, Options::parse, (options, out) -> {
            Result result = run(options, out);
            out.println(result.line());
            return result.answered() > 0 ? 0 : 1;
        });
    }

    /** Runs the load; prints {@value #MEASURING} to {@code out} when the counted time begins, and the first error. */
    static Result run(Options options, PrintStream out) throws IOException {
        try (DatagramChannel channel = DatagramChannel.open();
                Selector selector = Selector.open()) {
            channel.connect(options.server());
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            return new Load(options, channel, selector, out).run();
        }
    }

    /** The state of one run: the window, what is outstanding, and the counts. */
    private static final class Load {
        private final Options options;
        private final DatagramChannel channel;
        private final Selector selector;
        private final PrintStream out;
        private final byte[] query;
        private final ByteBuffer queryBuffer;
        private final ByteBuffer reply = ByteBuffer.allocate(4096);
        private final long timeoutNanos;

        /** By query ID: when it was sent, or 0 when it is not outstanding. */
        private final long[] sentAt = new long[IDS];
        /** IDs in the order they were sent, with that time: where the oldest outstanding query is found. */
        private final int[] sentIds = new int[IDS];

        private final long[] sentTimes = new long[IDS];
        private int head;
        private int tail;
        private int nextId;
        private int outstanding;

        private boolean measuring;
        private Duration cpuFrom;
        /** After the measured time: replies no longer count, losses still do. */
        private boolean draining;

        private long answered;
        private long lost;
        private long wrong;
        private boolean errorShown;
        private int[] latencies = new int[1 << 16];
        private int latencyCount;

        Load(Options options, DatagramChannel channel, Selector selector, PrintStream out) {
            this.options = options;
            this.channel = channel;
            this.selector = selector;
            this.out = out;
            this.query = DnsWire.query(options.name());
            this.queryBuffer = ByteBuffer.wrap(query);
            this.timeoutNanos = options.timeout().toNanos();
        }

        Result run() throws IOException {
            long start = System.nanoTime();
            long measureFrom = start + options.warmup().toNanos();
            long measureTo = measureFrom + options.measure().toNanos();
            long now = start;
            while (now < measureTo) {
                if (!measuring && now >= measureFrom) {
                    measuring = true;
                    cpuFrom = ownCpu();
                    out.println(MEASURING);
                    out.flush();
                }
                while (outstanding < options.window()) {
                    send(now);
                }
                receive(Math.min(POLL_MILLIS, Math.max(1, (measureTo - now) / 1_000_000)));
                now = System.nanoTime();
                expire(now);
            }
            long measured = now - measureFrom;
            Duration cpuTo = ownCpu();
            // the queries sent in time may still be answered (not counted) or lost (counted): wait for them
            long drainUntil = now + timeoutNanos;
            measuring = false;
            draining = true;
            while (outstanding > 0 && now < drainUntil) {
                receive(POLL_MILLIS);
                now = System.nanoTime();
                expire(now);
            }
            lost += outstanding;
            int[] sorted = Arrays.copyOf(latencies, latencyCount);
            Arrays.sort(sorted);
            double cpu = cpuFrom == null || cpuTo == null || answered == 0
                    ? Double.NaN
                    : cpuTo.minus(cpuFrom).toNanos() / 1e3 / answered;
            return new Result(
                    answered, lost, wrong, measured / 1e9, percentile(sorted, 0.50), percentile(sorted, 0.99), cpu);
        }

        private void send(long now) throws IOException {
            int id;
            do {
                id = nextId;
                nextId = (nextId + 1) & (IDS - 1);
            } while (sentAt[id] != 0);
            DnsWire.setId(query, id);
            queryBuffer.clear();
            try {
                channel.write(queryBuffer);
            } catch (PortUnreachableException e) {
                // an ICMP error from an earlier send: the query is simply lost (the timeout counts it)
            }
            long at = now == 0 ? 1 : now;
            if (((tail + 1) & (IDS - 1)) == head) {
                dropOldest(); // a query outstanding through 65,535 sends: lost, whatever its timeout
            }
            sentAt[id] = at;
            sentIds[tail] = id;
            sentTimes[tail] = at;
            tail = (tail + 1) & (IDS - 1);
            outstanding++;
        }

        /** Waits up to {@code millis} for replies, then takes every reply waiting. */
        private void receive(long millis) throws IOException {
            selector.select(millis);
            selector.selectedKeys().clear();
            while (true) {
                reply.clear();
                try {
                    if (channel.read(reply) <= 0) {
                        return;
                    }
                } catch (PortUnreachableException e) {
                    continue; // nobody listens (yet): the queries time out
                }
                long now = System.nanoTime();
                reply.flip();
                if (reply.limit() < DnsWire.HEADER) {
                    continue;
                }
                int id = DnsWire.id(reply);
                long sent = sentAt[id];
                if (sent == 0) {
                    continue; // a reply after its timeout, or a second reply: already counted
                }
                sentAt[id] = 0;
                outstanding--;
                DnsWire.Verdict verdict = DnsWire.check(reply, options.expect());
                if (!measuring) {
                    continue;
                }
                if (verdict == DnsWire.Verdict.ANSWERED) {
                    answered++;
                    record(now - sent);
                } else {
                    wrong++;
                    if (!errorShown) {
                        errorShown = true;
                        out.println(
                                "dnsload: a reply without " + options.expect().getHostAddress() + " (" + verdict
                                        + ", response code " + (reply.getShort(2) & 0xF) + ")");
                    }
                }
            }
        }

        /** Counts the queries past their timeout as lost, freeing their slots. */
        private void expire(long now) {
            while (head != tail) {
                int id = sentIds[head];
                if (sentAt[id] == sentTimes[head] && now - sentTimes[head] < timeoutNanos) {
                    return; // the oldest outstanding query is still in time, and so are all after it
                }
                dropOldest(); // answered already, or lost
            }
        }

        /** Takes the oldest entry of the send order off; a query still outstanding there is lost. */
        private void dropOldest() {
            int id = sentIds[head];
            if (sentAt[id] == sentTimes[head]) {
                sentAt[id] = 0;
                outstanding--;
                if (measuring || draining) {
                    lost++;
                }
            }
            head = (head + 1) & (IDS - 1);
        }

        private void record(long nanos) {
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = (int) Math.min(Integer.MAX_VALUE, nanos / 1000);
        }
    }

    private static Duration ownCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(null);
    }

    private static long percentile(int[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }
}
