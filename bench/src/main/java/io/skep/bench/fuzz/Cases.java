package io.skep.bench.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The fuzzer's requests, made from the endpoints a live node has and a seeded random source: each {@link Case} is a
 * request's bytes (or several, pipelined), where it goes, its kind, and a line that says what is wrong with it.
 */
final class Cases {

    /**
     * A request the node takes: method, path (with its query), and a valid body (null for none). {@code frozen}: the
     * body's fields that stay as they are, so that a valid mutation changes nothing (the name of an existing service:
     * its create is refused as a duplicate, after every check).
     */
    record Endpoint(Target target, String method, String path, JsonNode body, Set<String> frozen) {
        Endpoint(Target target, String method, String path) {
            this(target, method, path, null, Set.of());
        }
    }

    /**
     * One fuzzed exchange: {@code bytes} sent on a new connection to {@code target}, where {@code answers} answers are
     * expected (more than one when pipelined).
     */
    record Case(String kind, Target target, byte[] bytes, int answers, String what) {}

    /** The kinds, each made about as often as the others. */
    static final List<String> KINDS = List.of(
            "broken-json",
            "wrong-type",
            "huge-value",
            "mutation",
            "deep-nesting",
            "big-body",
            "bad-path",
            "bad-method",
            "bad-header",
            "bad-query",
            "pipelined",
            "garbage",
            "plaintext-on-tls");

    private final List<Endpoint> endpoints;
    private final List<Endpoint> withBody;
    private final Target control;
    private final Target plaintextCluster;
    private final Random random;
    private final Mutator mutator;

    /**
     * @param endpoints        the node's requests, valid as they are
     * @param control          the control API (for the paths and methods no cluster route knows)
     * @param plaintextCluster the cluster port, spoken to without TLS
     */
    Cases(List<Endpoint> endpoints, Target control, Target plaintextCluster, long seed) {
        this.endpoints = List.copyOf(endpoints);
        this.withBody = endpoints.stream().filter(e -> e.body() != null).toList();
        this.control = control;
        this.plaintextCluster = plaintextCluster;
        this.random = new Random(seed);
        this.mutator = new Mutator(random);
    }

    /** The next case, of a kind picked in turn. */
    Case next(int i) {
        return make(KINDS.get(i % KINDS.size()));
    }

    Case make(String kind) {
        return switch (kind) {
            case "broken-json" -> bodyCase(kind, (b, frozen) -> mutator.brokenJson(b));
            case "wrong-type" -> bodyCase(kind, mutator::wrongType);
            case "huge-value" -> bodyCase(kind, mutator::hugeValue);
            case "mutation" -> bodyCase(kind, mutator::anyChange);
            case "deep-nesting" ->
                bodyCase(
                        kind,
                        (b, frozen) -> mutator.deeplyNested(
                                b, List.of(600, 5_000, 100_000).get(random.nextInt(3))));
            case "big-body" -> bigBody();
            case "bad-path" -> badPath();
            case "bad-method" -> badMethod();
            case "bad-header" -> badHeader();
            case "bad-query" -> badQuery();
            case "pipelined" -> pipelined();
            case "garbage" -> garbage();
            case "plaintext-on-tls" ->
                new Case(
                        kind,
                        plaintextCluster,
                        RawHttp.request(plaintextCluster, "GET", "/ca", Map.of(), null, false),
                        1,
                        "GET /ca in plaintext on the TLS port");
            default -> throw new IllegalArgumentException("no such kind: " + kind);
        };
    }

    /** A known request with a body, its body changed by {@code mutation} (which keeps the endpoint's frozen fields). */
    private Case bodyCase(String kind, BiFunction<JsonNode, Set<String>, Mutator.Mutated> mutation) {
        Endpoint e = withBody.get(random.nextInt(withBody.size()));
        Mutator.Mutated m = mutation.apply(e.body(), e.frozen());
        return new Case(
                kind,
                e.target(),
                RawHttp.request(e.target(), e.method(), e.path(), Map.of(), m.body(), false),
                1,
                e.method() + " " + e.path() + ": " + m.what());
    }

    private Case bigBody() {
        Endpoint e = withBody.get(random.nextInt(withBody.size()));
        int variant = random.nextInt(4);
        String where = e.method() + " " + e.path() + ": ";
        return switch (variant) {
            case 0 -> { // a real body over every cap (5 MiB), or just over the cap before authentication (80 KiB)
                int size = random.nextBoolean() ? 5 << 20 : 80 << 10;
                byte[] body = ("{\"Name\":\"" + "b".repeat(size) + "\"}").getBytes(StandardCharsets.US_ASCII);
                yield new Case(
                        "big-body",
                        e.target(),
                        RawHttp.request(e.target(), e.method(), e.path(), Map.of(), body, false),
                        1,
                        where + "a body of " + body.length + " bytes");
            }
            case 1 -> { // a promise of a huge body and no body: the answer must come at once
                Map<String, String> h = Map.of("Content-Length", "99999999999", "Content-Type", "application/json");
                yield new Case(
                        "big-body",
                        e.target(),
                        RawHttp.request(e.target(), e.method(), e.path(), h, null, false),
                        1,
                        where + "Content-Length: 99999999999, no body");
            }
            case 2 -> { // a chunked body that never ends, over the cap
                StringBuilder b = new StringBuilder();
                String chunk = "x".repeat(60_000);
                for (int i = 0; i < 80; i++) {
                    b.append(Integer.toHexString(chunk.length()))
                            .append("\r\n")
                            .append(chunk)
                            .append("\r\n");
                }
                byte[] head = RawHttp.request(
                        e.target(), e.method(), e.path(), Map.of("Transfer-Encoding", "chunked"), null, false);
                yield new Case(
                        "big-body",
                        e.target(),
                        concat(head, b.toString().getBytes(StandardCharsets.US_ASCII)),
                        1,
                        where + "a chunked body of 4.8 MB that never ends");
            }
            default -> { // Expect: 100-continue for a body over the cap
                Map<String, String> h = Map.of("Content-Length", Integer.toString(50 << 20), "Expect", "100-continue");
                yield new Case(
                        "big-body",
                        e.target(),
                        RawHttp.request(e.target(), e.method(), e.path(), h, null, false),
                        1,
                        where + "Expect: 100-continue for 50 MiB");
            }
        };
    }

    private Case badPath() {
        String[] paths = {
            "/",
            "//",
            "/v1.41",
            "/v1.41/",
            "/services/../swarm",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/services/%zz",
            "/services/%",
            "/services/" + "a".repeat(20_000),
            "/tasks/\u00ff\u00fe",
            "/nodes/;",
            "/v9999/info",
            "/vabc/info",
            "/_ping/extra",
            "*",
            "http://evil.example/info",
            "/services/%00",
            "/services/" + "x/".repeat(500),
            "/swarm/unlockkey",
            "/containers/json",
            "/v1.41/v1.41/info",
            "/services/fuzzed/update/extra",
            "/dispatcher/sessions//heartbeat",
            "/ca/",
            "/join?x",
            "?",
            "/info#fragment",
            "/ser vices",
            "/services\u0000"
        };
        String path = paths[random.nextInt(paths.length)];
        String method = random.nextBoolean() ? "GET" : "POST";
        Target t = random.nextInt(3) == 0
                ? endpoints.get(random.nextInt(endpoints.size())).target()
                : control;
        byte[] body = method.equals("POST") ? "{}".getBytes(StandardCharsets.US_ASCII) : null;
        return new Case(
                "bad-path",
                t,
                RawHttp.request(t, method, path, Map.of(), body, false),
                1,
                method + " " + shorten(path) + " on " + t);
    }

    private Case badMethod() {
        Endpoint e = endpoints.get(random.nextInt(endpoints.size()));
        String[] methods = {
            "PUT", "PATCH", "OPTIONS", "TRACE", "CONNECT", "FOO", "get", "PRI", "M".repeat(5_000), "G\u0000ET"
        };
        String method = methods[random.nextInt(methods.length)];
        byte[] body = e.body() == null ? null : Mutator.bytes(e.body());
        return new Case(
                "bad-method",
                e.target(),
                RawHttp.request(e.target(), method, e.path(), Map.of(), body, false),
                1,
                shorten(method) + " " + e.path());
    }

    private Case badHeader() {
        Endpoint e = endpoints.get(random.nextInt(endpoints.size()));
        if (random.nextInt(5) == 0) {
            String[] lines = {
                "GET /_ping HTTP/0.9\r\n\r\n",
                "GET /_ping HTTP/2.0\r\n\r\n",
                "GET /_ping HTTP/1.1x\r\n\r\n",
                "GET\r\n\r\n",
                "GET /_ping\r\n\r\n",
                " GET /_ping HTTP/1.1\r\n\r\n"
            };
            String l = lines[random.nextInt(lines.length)];
            return new Case(
                    "bad-header", e.target(), l.getBytes(StandardCharsets.ISO_8859_1), 1, "request line " + l.strip());
        }
        byte[] valid = e.body() == null ? "{}".getBytes(StandardCharsets.US_ASCII) : Mutator.bytes(e.body());
        // {header lines, what they are, the body sent after them (null: the valid one, framed by its length)}
        String[][] variants = {
            {"Content-Length: abc", "a Content-Length that is not a number", ""},
            {"Content-Length: -5", "a negative Content-Length", ""},
            {"Content-Length: " + valid.length + "\r\nContent-Length: 3", "two Content-Lengths", null},
            {"Transfer-Encoding: gzip", "Transfer-Encoding: gzip", null},
            {"Transfer-Encoding: chunked", "a chunk size that is not hex", "zz\r\n"},
            {"X-Bad\u0000: 1", "a NUL in a header name", null},
            {"NoColonHere", "a header line without a colon", null},
            {"X-Folded: a\r\n  folded", "an obsolete folded header", null},
            {"X-Big: " + "h".repeat(64 * 1024), "a 64 KiB header", null},
            {"X-Many: 1\r\n".repeat(3_000).strip(), "3,000 headers", null},
            {"Content-Type: text/plain; charset=ebcdic", "a body in a charset nobody speaks", null},
        };
        String[] v = variants[random.nextInt(variants.length)];
        boolean noHost = random.nextInt(6) == 0;
        boolean framed = v[2] == null;
        byte[] body = framed ? valid : v[2].getBytes(StandardCharsets.ISO_8859_1);
        String head = e.method() + " " + e.path() + " HTTP/1.1\r\n"
                + (noHost ? "" : "Host: " + e.target().hostHeader() + "\r\n") + v[0] + "\r\n"
                + (framed && !v[0].startsWith("Content-Length") ? "Content-Length: " + valid.length + "\r\n" : "")
                + "Connection: close\r\n\r\n";
        return new Case(
                "bad-header",
                e.target(),
                concat(head.getBytes(StandardCharsets.ISO_8859_1), body),
                1,
                e.method() + " " + e.path() + ": " + v[1] + (noHost ? ", no Host" : ""));
    }

    private Case badQuery() {
        String[] filters = {
            "{",
            "[1]",
            "{\"id\":5}",
            "{\"bogus\":{\"a\":true}}",
            "{\"name\":[[[]]]}",
            "{\"label\":{\"" + "k".repeat(3_000) + "\":true}}",
            "null",
            "\"x\"",
            "{\"id\":{\"a\":\"yes\"}}",
            "%7B",
            "{\"desired-state\":{\"running\":1}}"
        };
        String[] numbers = {"abc", "-1", "1.5", "99999999999999999999999", "", "0x10", "1e3", "%00", "NaN"};
        String path = switch (random.nextInt(6)) {
            case 0 -> "/v1.41/services?filters=" + enc(filters[random.nextInt(filters.length)]);
            case 1 -> "/v1.41/tasks?filters=" + enc(filters[random.nextInt(filters.length)]);
            case 2 -> "/v1.41/nodes?filters=" + enc(filters[random.nextInt(filters.length)]) + "&status=maybe";
            case 3 -> "/v1.41/services/fuzzed?insertDefaults=" + enc(numbers[random.nextInt(numbers.length)]);
            case 4 -> "/v1.41/services?status=" + enc(numbers[random.nextInt(numbers.length)]) + "&filters=&filters=x";
            default -> null;
        };
        if (path != null) {
            return new Case(
                    "bad-query",
                    control,
                    RawHttp.request(control, "GET", path, Map.of(), null, false),
                    1,
                    "GET " + shorten(path));
        }
        // a known write with its version (or cursor) replaced
        List<Endpoint> versioned = endpoints.stream()
                .filter(e -> e.path().contains("version=") || e.path().contains("after="))
                .toList();
        Endpoint e = versioned.get(random.nextInt(versioned.size()));
        String value = numbers[random.nextInt(numbers.length)];
        String p = e.path().replaceAll("(version|after)=[^&]*", "$1=" + enc(value))
                + (random.nextBoolean() ? "&rotateWorkerToken=maybe&rollback=previous" : "");
        byte[] body = e.body() == null ? null : Mutator.bytes(e.body());
        return new Case(
                "bad-query",
                e.target(),
                RawHttp.request(e.target(), e.method(), p, Map.of(), body, false),
                1,
                e.method() + " " + p);
    }

    /** Several requests in one write on one connection, fuzzed ones among valid ones: one answer each, in order. */
    private Case pipelined() {
        Target target = endpoints.get(random.nextInt(endpoints.size())).target();
        List<Endpoint> here =
                endpoints.stream().filter(e -> e.target().equals(target)).toList();
        int n = 2 + random.nextInt(5);
        List<byte[]> parts = new ArrayList<>();
        List<String> what = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Endpoint e = here.get(random.nextInt(here.size()));
            byte[] body = e.body() == null
                    ? null
                    : random.nextBoolean()
                            ? Mutator.bytes(e.body())
                            : mutator.wrongType(e.body(), e.frozen()).body();
            parts.add(RawHttp.request(e.target(), e.method(), e.path(), Map.of(), body, true));
            what.add(e.method() + " " + e.path());
        }
        return new Case(
                "pipelined",
                target,
                concat(parts.toArray(byte[][]::new)),
                n,
                n + " pipelined: " + String.join(", ", what));
    }

    private Case garbage() {
        Target t = endpoints.get(random.nextInt(endpoints.size())).target();
        byte[] b = new byte[1 + random.nextInt(2_000)];
        random.nextBytes(b);
        if (random.nextBoolean()) { // garbage after a good start
            byte[] start = ("POST /v1.41/services/create HTTP/1.1\r\nHost: " + t.hostHeader() + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            b = concat(start, b);
        }
        return new Case("garbage", t, b, 1, b.length + " random bytes to " + t);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String shorten(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "… (" + s.length() + " characters)";
    }

    /** How many cases of each kind {@code count} makes. */
    static Map<String, Integer> plan(int count) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            out.merge(KINDS.get(i % KINDS.size()), 1, Integer::sum);
        }
        return out;
    }
}
