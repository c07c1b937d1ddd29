package io.skep.bench.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skep.bench.FileTrees;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The API fuzzer: its options, its requests (made from a seed), its tally, and a short run against the image. */
class FuzzScenarioTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Target CONTROL = new Target("control", "127.0.0.1", 1, null);
    private static final Target PLAIN = new Target("cluster-plain", "127.0.0.1", 2, null);

    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> FuzzScenario.Options.parse(args))
                .getMessage();
    }

    @Test
    void optionsHaveTheIssuesFiguresAndBadOnesAreNamed() {
        FuzzScenario.Options o = FuzzScenario.Options.parse("--skep=/opt/skep/bin/skep");
        assertEquals(10_000, o.requests());
        assertEquals(5, o.held());
        assertEquals(8, o.parallel());
        assertEquals(Duration.ofSeconds(20), o.timeout());
        FuzzScenario.Options set = FuzzScenario.Options.parse(
                "--skep=/x",
                "--requests=1000",
                "--seed=-7",
                "--held=0",
                "--parallel=2",
                "--timeout=5",
                "--dir=/var/tmp");
        assertEquals(
                new FuzzScenario.Options(1000, -7, 0, 2, Path.of("/x"), Path.of("/var/tmp"), Duration.ofSeconds(5)),
                set);
        assertEquals("", error("--help"));
        assertTrue(error("--requests=0", "--skep=/x").contains("--requests must be at least 1"));
        assertTrue(error("--seed=abc", "--skep=/x").contains("not a number"));
        assertTrue(error("--fast=1", "--skep=/x").contains("unknown option '--fast'"));
    }

    private static Cases cases(long seed) throws Exception {
        List<Cases.Endpoint> endpoints = List.of(
                new Cases.Endpoint(
                        CONTROL, "POST", "/v1.41/services/create", FuzzScenario.serviceSpec(), Set.of("Name")),
                new Cases.Endpoint(
                        CONTROL,
                        "POST",
                        "/v1.41/services/fuzzed/update?version=1",
                        FuzzScenario.serviceSpec(),
                        Set.of("Name")),
                new Cases.Endpoint(CONTROL, "GET", "/v1.41/info"));
        return new Cases(endpoints, CONTROL, PLAIN, seed);
    }

    @Test
    void theSameSeedMakesTheSameRequestsAndEveryKindIsMade() throws Exception {
        Cases a = cases(42);
        Cases b = cases(42);
        Cases other = cases(43);
        Set<String> kinds = new HashSet<>();
        boolean differs = false;
        for (int i = 0; i < 2 * Cases.KINDS.size(); i++) {
            Cases.Case x = a.next(i);
            Cases.Case y = b.next(i);
            assertEquals(x.kind(), y.kind());
            assertEquals(x.what(), y.what());
            assertTrue(Arrays.equals(x.bytes(), y.bytes()), x.what());
            differs |= !Arrays.equals(x.bytes(), other.next(i).bytes());
            kinds.add(x.kind());
        }
        assertEquals(Set.copyOf(Cases.KINDS), kinds);
        assertTrue(differs, "another seed makes other requests");
        assertEquals(7, Cases.plan(Cases.KINDS.size() * 7 + 1).get("broken-json") - 1);
    }

    @Test
    void aMutationChangesOneValueAndSaysWhichWithoutTouchingAFrozenField() throws Exception {
        Mutator m = new Mutator(new java.util.Random(1));
        JsonNode base = JSON.readTree("{\"Name\":\"fuzzed\",\"Mode\":{\"Replicated\":{\"Replicas\":2}}}");
        for (int i = 0; i < 50; i++) {
            Mutator.Mutated w = m.wrongType(base, Set.of("Name"));
            JsonNode changed = JSON.readTree(w.body());
            assertNotEquals(base, changed, w.what());
            assertFalse(w.what().startsWith("Name "), "a frozen field was changed: " + w.what());
            if (changed.isObject()) {
                assertEquals("fuzzed", changed.path("Name").asText(), w.what());
            }
        }
        Mutator.Mutated broken = m.brokenJson(base);
        assertFalse(Arrays.equals(JSON.writeValueAsBytes(base), broken.body()), broken.what());
        String nested = new String(m.deeplyNested(base, 1000).body(), StandardCharsets.UTF_8);
        assertTrue(nested.contains("[".repeat(1000)) || nested.contains("{\"a\":".repeat(1000)));
    }

    @Test
    void theTallyCountsAnAnswerOf500AsAFailureButNotDockersOwn503ForAnInitOnAManager() {
        Tally t = new Tally();
        Cases.Case c = new Cases.Case("wrong-type", CONTROL, "POST /x HTTP/1.1\r\n\r\n".getBytes(), 1, "X ← null");
        t.add(c, List.of(new RawHttp.Answer(400, "{\"message\":\"invalid X\"}")));
        t.add(c, List.of(new RawHttp.Answer(503, "{\"message\":\"" + Tally.ALREADY_IN_A_SWARM + ". Use ...\"}")));
        assertTrue(t.failures().isEmpty());
        t.add(c, List.of(new RawHttp.Answer(500, "{\"message\":\"Cannot invoke \\\"x\\\"\"}")));
        t.add(c, List.of(new RawHttp.Answer(RawHttp.HUNG, "")));
        assertEquals(2, t.failures().size());
        assertEquals("Cannot invoke \"x\"", t.failures().getFirst().message());
        assertEquals("X ← null", t.failures().getFirst().what());
        assertEquals(1, t.count5xx());
        assertEquals(1, t.hangs());
        assertTrue(t.table().contains("400×1 500×1 503 (in a swarm)×1 HUNG×1"), t.table());
    }

    /** A short run against the image, when one is built: no answer of 500 or more, no hang, the node serves after. */
    @Test
    void aShortRunAgainstTheImageFindsNoFailure() throws Exception {
        Path skep = FileTrees.findUp(Path.of(""), "distribution/target/skep/bin/skep");
        assumeTrue(skep != null, "no image built: distribution/target/skep/bin/skep");
        FuzzScenario.Options o =
                FuzzScenario.Options.parse("--requests=1000", "--seed=11", "--held=2", "--skep=" + skep);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FuzzScenario.Result r = FuzzScenario.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(r.tally().requests() >= 1000, report);
        assertTrue(r.tally().failures().isEmpty(), report);
        assertTrue(r.alive() && r.after().startsWith("serves"), report);
        assertEquals(r.held().held(), r.held().closedByNode(), report);
        assertTrue(r.floodRefused() > 0, "the cap per address turned some of the flood away: " + report);
        assertTrue(r.passed(), report);
    }
}
