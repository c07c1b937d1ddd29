package io.skep.bench.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.bench.Ratios;
import io.skep.bench.store.StoreBench.Options;
import io.skep.bench.store.WriteLoad.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreBenchTest {

    @Test
    void optionsHaveShortDefaultsAndParse() {
        Options defaults = Options.parse();
        assertEquals(5, defaults.rounds());
        assertEquals(6, defaults.warmupRounds());
        assertEquals(Duration.ofSeconds(1), defaults.round());
        assertEquals(StoreBench.NO_SNAPSHOTS, defaults.snapshotInterval());
        assertEquals(1, defaults.members());
        assertFalse(defaults.compareEncryption());

        Options options = Options.parse(
                "--rounds=2",
                "--warmup-rounds=0",
                "--round=0.25",
                "--dir=/var/tmp",
                "--snapshot-interval=10000",
                "--members=3",
                "--compare-encryption");
        assertEquals(new Options(2, 0, Duration.ofMillis(250), Path.of("/var/tmp"), 10_000, 3, true), options);

        assertEquals(
                "",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("--help"))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse("--rounds=0"))
                .getMessage()
                .contains("at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse("--round=x"))
                .getMessage()
                .contains("not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse("-f", "1"))
                .getMessage()
                .contains("expected --name=value"));
    }

    @Test
    void theBaselineIsUnbatchedAndFirst() {
        assertEquals(Ratios.BASELINE, StoreBench.WORKLOADS.getFirst().name());
        assertEquals(1, StoreBench.WORKLOADS.getFirst().objectsPerEntry());
        assertEquals(1, StoreBench.WORKLOADS.getFirst().inFlight());
    }

    @Test
    void everyWorkloadTakesEveryPositionInTurn() {
        List<String> names = List.of("a", "b", "c", "d");
        assertEquals(List.of("a", "b", "c", "d"), StoreBench.rotated(names, 0));
        assertEquals(List.of("c", "d", "a", "b"), StoreBench.rotated(names, 2));
        assertEquals(List.of("b", "c", "d", "a"), StoreBench.rotated(names, 5));
    }

    @Test
    void reportShowsRatesAndSpeedUpsOverTheBaseline() {
        Map<String, List<Result>> results = new LinkedHashMap<>();
        long second = 1_000_000_000L;
        // baseline: 1000 then 500 objects/s; batched100: 20000 then 15000 objects/s (200 then 150 entries/s)
        results.put("baseline", List.of(new Result(1000, 1000, second), new Result(500, 500, second)));
        results.put("unbatched32InFlight", List.of(new Result(2000, 2000, second), new Result(2000, 2000, second)));
        results.put("batched100", List.of(new Result(20_000, 200, second), new Result(15_000, 150, second)));
        results.put("batched500", List.of(new Result(40_000, 80, second), new Result(40_000, 80, second)));

        String report = StoreBench.report(results, 123); // no error from two rounds: JMH gives none below three
        List<String> lines = report.lines().toList();
        assertTrue(lines.getFirst().contains("over 2 rounds; 123 tasks written"), report);
        assertTrue(lines.stream().anyMatch(l -> l.matches("batched100\\s+100\\s+1\\s+17500\\s+175")), report);
        assertTrue(
                lines.stream().anyMatch(l -> l.startsWith("StoreBench.batched500") && l.endsWith("53.33x")),
                "the ratio of the means: 40000 / 750\n" + report);
        assertTrue(
                lines.stream().anyMatch(l -> l.matches("batched100\\s+25x\\s+20x\\s+30x")),
                "within rounds: 20000 / 1000 and 15000 / 500\n" + report);
    }

    @Test
    void comparisonShowsBothGroupsAndSealedOverClearWithinRounds() {
        Map<String, List<Result>> sealed = new LinkedHashMap<>();
        Map<String, List<Result>> clear = new LinkedHashMap<>();
        long second = 1_000_000_000L;
        for (var workload : StoreBench.WORKLOADS) { // sealed: 900 then 800 objects/s; clear: 1000 both rounds
            sealed.put(workload.name(), List.of(new Result(900, 900, second), new Result(800, 800, second)));
            clear.put(workload.name(), List.of(new Result(1000, 1000, second), new Result(1000, 1000, second)));
        }
        String report = StoreBench.comparison(sealed, clear, 123);
        List<String> lines = report.lines().toList();
        assertTrue(lines.getFirst().contains("over 2 rounds; 123 tasks written"), report);
        assertTrue(lines.stream().anyMatch(l -> l.matches("batched500\\s+500\\s+1\\s+850\\s+1000")), report);
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.startsWith("StoreBench.sealed")
                                && l.contains("workload=batched100")
                                && l.endsWith("0.85x")),
                "the ratio of the means: 850 / 1000\n" + report);
        assertTrue(
                lines.stream().anyMatch(l -> l.matches("baseline\\s+0.85x\\s+0.8x\\s+0.9x")),
                "within rounds: 900 / 1000 and 800 / 1000\n" + report);
    }

    @Test
    void compareEncryptionRunsEveryWorkloadOnASealedAndAClearGroup(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StoreBench.run(
                Options.parse("--rounds=2", "--warmup-rounds=0", "--round=0.1", "--dir=" + dir, "--compare-encryption"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String output = bytes.toString(StandardCharsets.UTF_8);
        List<String> lines = output.lines().toList();

        assertTrue(
                lines.getFirst().contains("sealed with an AES-256-GCM data key in one, in the clear in the other"),
                output);
        // Each round's line: every workload, on both groups, whichever went first.
        List<String> rounds = lines.stream().filter(l -> l.startsWith("round ")).toList();
        assertEquals(2, rounds.size(), output);
        for (String round : rounds) {
            for (var workload : StoreBench.WORKLOADS) {
                assertTrue(
                        round.matches(".*  " + workload.name() + " (sealed [0-9.]+ clear|clear [0-9.]+ sealed)"
                                + " [0-9.]+ objects/s.*"),
                        round);
            }
        }
        // The report: both groups' rates and sealed over clear, for every workload.
        String rate = "[0-9.]+( ± [0-9.]+)?";
        for (var workload : StoreBench.WORKLOADS) {
            String name = workload.name();
            assertTrue(
                    lines.stream().anyMatch(l -> l.matches(name + "\\s+\\d+\\s+\\d+\\s+" + rate + "\\s+" + rate)),
                    name + "\n" + output);
            assertTrue(
                    lines.stream().anyMatch(l -> l.startsWith("StoreBench.sealed") && l.contains("workload=" + name)),
                    name + "\n" + output);
            assertTrue(
                    lines.stream().anyMatch(l -> l.matches(name + "\\s+[0-9.]+x\\s+[0-9.]+x\\s+[0-9.]+x")),
                    name + "\n" + output);
        }
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the groups' directory is deleted");
        }
    }

    @Test
    void theWriterLeadsAgainAfterLeadershipMoved(@TempDir Path dir) throws Exception {
        List<io.skep.core.store.RaftStore> stores = new java.util.ArrayList<>();
        try {
            var writer = StoreBench.startGroup(Options.parse("--members=3"), dir, null, stores);
            writer.transferLeadership("bench2", StoreBench.TIMEOUT); // as an election after a long pause would
            assertFalse(writer.isLeader());
            StoreBench.takeLeadershipBack(writer);
            assertTrue(writer.isLeader());
        } finally {
            for (var store : stores) {
                store.close();
            }
        }
    }

    @Test
    void theTemporaryDirectoryIsDeletedWithItsContent(@TempDir Path parent) throws Exception {
        Path dir = Files.createDirectories(parent.resolve("raft/group/current"));
        Files.writeString(dir.resolve("log_inprogress_0"), "entries");
        io.skep.bench.FileTrees.deleteRecursively(parent.resolve("raft"));
        assertFalse(Files.exists(parent.resolve("raft")));
        io.skep.bench.FileTrees.deleteRecursively(parent.resolve("raft")); // nothing left: no error
    }
}
