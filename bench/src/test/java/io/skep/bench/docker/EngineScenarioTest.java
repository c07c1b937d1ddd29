package io.skep.bench.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.bench.docker.EngineScenario.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineScenarioTest {

    private static String error(Map<String, String> env, String... args) {
        return assertThrows(IllegalArgumentException.class, () -> Options.parse(env, args))
                .getMessage();
    }

    @Test
    void defaultsAreTheIssuesScenario() {
        Options o = Options.parse(Map.of());
        assertEquals(List.of(Leg.RAW, Leg.SWARM, Leg.SKEP), o.legs());
        assertEquals(1, o.rounds());
        assertEquals(new Step.Shape(20, 50, 10), o.shape());
        assertEquals(0, o.warmup());
        assertEquals(Duration.ofSeconds(180), o.timeout());
        assertEquals(Duration.ofMillis(100), o.poll());
        assertEquals(Duration.ofSeconds(1), o.pause());
        assertEquals("unix:///var/run/docker.sock", o.engine());
        assertEquals("docker", o.docker());
        assertNull(o.skep());
        assertNull(o.busybox());
        assertFalse(o.verbose());
        assertFalse(o.trace());
    }

    @Test
    void theEngineComesFromDockerHostOnlyWhenItIsAUnixSocket() {
        assertEquals(
                "unix:///run/d.sock",
                Options.parse(Map.of("DOCKER_HOST", "unix:///run/d.sock")).engine());
        assertEquals(
                "unix:///var/run/docker.sock",
                Options.parse(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375")).engine());
        assertEquals(
                "unix:///x.sock",
                Options.parse(Map.of("DOCKER_HOST", "unix:///run/d.sock"), "--engine=unix:///x.sock")
                        .engine());
        assertTrue(error(Map.of(), "--engine=tcp://127.0.0.1:2375").startsWith("--engine: expected unix:///path"));
    }

    @Test
    void optionsParse() {
        Options o = Options.parse(
                Map.of(),
                "--legs=skep, raw",
                "--rounds=3",
                "--replicas=2",
                "--scale-to=5",
                "--parallelism=3",
                "--warmup=2",
                "--timeout=30",
                "--poll=50",
                "--pause=0",
                "--docker=/usr/bin/docker",
                "--skep=/opt/skep/bin/skep",
                "--busybox=/b",
                "--skep-log=/tmp/d.log",
                "--verbose",
                "--trace");
        assertEquals(List.of(Leg.SKEP, Leg.RAW), o.legs());
        assertEquals(3, o.rounds());
        assertEquals(new Step.Shape(2, 5, 3), o.shape());
        assertEquals(2, o.warmup());
        assertEquals(Duration.ofSeconds(30), o.timeout());
        assertEquals(Duration.ofMillis(50), o.poll());
        assertEquals(Duration.ZERO, o.pause());
        assertEquals("/usr/bin/docker", o.docker());
        assertEquals(Path.of("/opt/skep/bin/skep"), o.skep());
        assertEquals(Path.of("/b"), o.busybox());
        assertEquals(Path.of("/tmp/d.log"), o.skepLog());
        assertTrue(o.verbose());
        assertTrue(o.trace());
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        assertEquals("", error(Map.of(), "--help"));
        assertTrue(error(Map.of(), "--legs=raw,k8s").contains("unknown leg 'k8s'"));
        assertTrue(error(Map.of(), "--legs=raw,raw").contains("'raw' twice"));
        assertTrue(error(Map.of(), "--rounds=0").contains("--rounds must be at least 1"));
        assertTrue(error(Map.of(), "--replicas=x").contains("not a number"));
        assertTrue(error(Map.of(), "--scale-to=20").contains("--scale-to must be more than --replicas (20)"));
        assertTrue(error(Map.of(), "--timeout=0.5").contains("--timeout must be at least 1.0"));
        assertTrue(error(Map.of(), "--rounds").contains("expected --name=value"));
        assertTrue(error(Map.of(), "--fast=1").contains("unknown option '--fast'"));
    }

    @Test
    void everyLegTakesEveryPositionInTurn() {
        List<Leg> legs = List.of(Leg.RAW, Leg.SWARM, Leg.SKEP);
        assertEquals(legs, EngineScenario.rotated(legs, 0));
        assertEquals(List.of(Leg.SWARM, Leg.SKEP, Leg.RAW), EngineScenario.rotated(legs, 1));
        assertEquals(List.of(Leg.SKEP, Leg.RAW, Leg.SWARM), EngineScenario.rotated(legs, 5));
    }

    @Test
    void theTwoImagesDifferFromTheirFirstInstructionAndStopOnSigterm() {
        String v1 = EngineScenario.dockerfile("v1");
        String v2 = EngineScenario.dockerfile("v2");
        assertEquals("LABEL io.skep.bench.image=v1", v1.lines().toList().get(1));
        assertEquals("LABEL io.skep.bench.image=v2", v2.lines().toList().get(1));
        assertTrue(
                v1.contains("CMD [\"/bin/sh\", \"-c\", \"trap 'exit 0' TERM; while :; do sleep 1 & wait $!; done\"]"),
                v1);
    }
}
