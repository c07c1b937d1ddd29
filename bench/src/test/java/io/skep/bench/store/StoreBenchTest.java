package io.skep.bench.store;

import io.skep.bench.Ratios;
import io.skep.bench.store.StoreBench.Options;
import io.skep.bench.store.WriteLoad.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreBenchTest {

    @Test
    void optionsHaveShortDefaultsAndParse() {
        Options defaults = Options.parse();
        assertEquals(5, defaults.rounds());
        assertEquals(6, defaults.warmupRounds());
        assertEquals(Duration.ofSeconds(1), defaults.round());
        assertEquals(StoreBench.NO_SNAPSHOTS, defaults.snapshotInterval());
        assertEquals(1, defaults.members());

        Options options = Options.parse("--rounds=2", "--warmup-rounds=0", "--round=0.25", "--dir=/var/tmp",
                "--snapshot-interval=10000", "--members=3");
        assertEquals(new Options(2, 0, Duration.ofMillis(250), Path.of("/var/tmp"), 10_000, 3), options);

        assertEquals("", assertThrows(IllegalArgumentException.class, () -> Options.parse("--help")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse("--rounds=0")).getMessage()
                .contains("at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse("--round=x")).getMessage()
                .contains("not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse("-f", "1")).getMessage()
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
        assertTrue(lines.stream().anyMatch(l -> l.matches("batched100\\s+100\\s+1\\s+17500\\s+175")),
                report);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("StoreBench.batched500") && l.endsWith("53.33x")),
                "the ratio of the means: 40000 / 750\n" + report);
        assertTrue(lines.stream().anyMatch(l -> l.matches("batched100\\s+25x\\s+20x\\s+30x")),
                "within rounds: 20000 / 1000 and 15000 / 500\n" + report);
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
