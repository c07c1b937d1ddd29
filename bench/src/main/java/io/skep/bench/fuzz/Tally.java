package io.skep.bench.fuzz;

import io.skep.bench.TextTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the node answered the fuzzer: per kind of request and per target, the statuses seen; and every failure in full
 * (an answer of 500 or more, no answer and no close, a node that stopped listening), with the request that caused it.
 */
final class Tally {
    /**
     * The one 5xx Docker's API means as an answer, not a fault: {@code swarm init} or {@code join} on a node already
     * in a swarm (Docker answers it 503, as skep does). The fuzzer sends those bodies to a manager, so a valid one
     * meets it; counted apart, not as a failure.
     */
    static final String ALREADY_IN_A_SWARM = "This node is already part of a swarm";

    /** A failure, and the request that caused it. */
    record Failure(String kind, String target, String status, String message, String what, String request) {}

    private final Map<String, Map<String, Integer>> byKind = new LinkedHashMap<>();
    private final Map<String, Integer> requestsByKind = new LinkedHashMap<>();
    private final Map<String, Map<String, Integer>> targetsByKind = new LinkedHashMap<>();
    private final List<Failure> failures = new ArrayList<>();
    private int requests;
    private int answered;
    private int closed;
    private int expected503;
    private boolean refused;

    /** Counts one case's answers. */
    void add(Cases.Case c, List<RawHttp.Answer> answers) {
        requests += c.answers();
        requestsByKind.merge(c.kind(), c.answers(), Integer::sum);
        targetsByKind
                .computeIfAbsent(c.kind(), k -> new TreeMap<>())
                .merge(c.target().name(), 1, Integer::sum);
        Map<String, Integer> statuses = byKind.computeIfAbsent(c.kind(), k -> new TreeMap<>());
        for (RawHttp.Answer a : answers) {
            String status = switch (a.status()) {
                case RawHttp.CLOSED -> "closed";
                case RawHttp.HUNG -> "HUNG";
                case RawHttp.REFUSED -> "REFUSED";
                default -> Integer.toString(a.status());
            };
            if (a.status() == 503 && a.message().startsWith(ALREADY_IN_A_SWARM)) {
                status = "503 (in a swarm)";
                expected503++;
            }
            statuses.merge(status, 1, Integer::sum);
            if (a.status() >= 100) {
                answered++;
            } else if (a.status() == RawHttp.CLOSED) {
                closed++;
            }
            refused |= a.status() == RawHttp.REFUSED;
            boolean failed = (a.status() >= 500 && !status.startsWith("503 ("))
                    || a.status() == RawHttp.HUNG
                    || a.status() == RawHttp.REFUSED;
            if (failed) {
                failures.add(new Failure(c.kind(), c.target().name(), status, a.message(), c.what(), shown(c.bytes())));
            }
        }
    }

    /** Counts requests the fuzzer made apart from its cases (held connections, a flood of connections). */
    void addOther(String kind, int count, Map<String, Integer> outcomes) {
        requests += count;
        requestsByKind.merge(kind, count, Integer::sum);
        outcomes.forEach((outcome, n) ->
                byKind.computeIfAbsent(kind, k -> new TreeMap<>()).merge(outcome, n, Integer::sum));
    }

    List<Failure> failures() {
        return failures;
    }

    int requests() {
        return requests;
    }

    /** The node stopped listening during the run. */
    boolean nodeGone() {
        return refused;
    }

    long count5xx() {
        return failures.stream().filter(f -> f.status().matches("5\\d\\d")).count();
    }

    long hangs() {
        return failures.stream().filter(f -> f.status().equals("HUNG")).count();
    }

    /** The table of kinds, and the totals. */
    String table() {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"kind", "requests", "targets (connections)", "statuses seen"});
        for (Map.Entry<String, Integer> e : requestsByKind.entrySet()) {
            Map<String, Integer> targets = targetsByKind.getOrDefault(e.getKey(), Map.of());
            lines.add(new String[] {
                e.getKey(),
                Integer.toString(e.getValue()),
                join(targets),
                join(byKind.getOrDefault(e.getKey(), Map.of()))
            });
        }
        return TextTable.columns(lines, 1)
                + ("Total: %d requests; %d answered, %d connections closed without an answer, "
                                + "%d 503s of Docker's \"already part of a swarm\"%n")
                        .formatted(requests, answered, closed, expected503);
    }

    private static String join(Map<String, Integer> counts) {
        StringBuilder b = new StringBuilder();
        counts.forEach(
                (k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('×').append(v));
        return b.toString();
    }

    /** The request as a report shows it: its first 400 characters, control characters escaped. */
    static String shown(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 400), StandardCharsets.ISO_8859_1);
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(
                    c == '\r'
                            ? "\\r"
                            : c == '\n'
                                    ? "\\n"
                                    : c < 0x20 || c > 0x7e ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return b + (bytes.length > 400 ? "… (" + bytes.length + " bytes)" : "");
    }
}
