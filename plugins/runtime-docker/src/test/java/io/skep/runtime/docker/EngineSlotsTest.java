package io.skep.runtime.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.runtime.TaskRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The bound on containers started, stopped or removed at once. */
class EngineSlotsTest {

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
            Thread.sleep(1); // polls a condition with a deadline; not a synchronisation by time
        }
    }

    @Test
    void tenByDefaultOrWhatTheVariableSays() throws TaskRuntimeException {
        assertEquals(EngineSlots.DEFAULT, EngineSlots.from(Map.of()).size());
        assertEquals(10, EngineSlots.DEFAULT);
        assertEquals(3, EngineSlots.from(Map.of(EngineSlots.VARIABLE, " 3 ")).size());
    }

    @Test
    void aBadValueIsRefusedWithTheVariableAndTheValueNamed() {
        for (String bad : new String[] {"0", "-2", "ten", "1001", "2.5"}) {
            TaskRuntimeException e =
                    assertThrows(TaskRuntimeException.class, () -> EngineSlots.from(Map.of(EngineSlots.VARIABLE, bad)));
            assertTrue(
                    e.getMessage().startsWith("SKEP_DOCKER_CONCURRENCY must be a whole number from 1 to 1000"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("got '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void anOperationPastTheBoundWaitsForAFreeSlot() throws Exception {
        EngineSlots slots = new EngineSlots(2);
        EngineSlots.Slot first = slots.acquire();
        EngineSlots.Slot second = slots.acquire();
        CompletableFuture<EngineSlots.Slot> third = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                third.complete(slots.acquire());
            } catch (InterruptedException e) {
                third.completeExceptionally(e);
            }
        });
        await(() -> waiter.getState() == Thread.State.WAITING, "the third operation waits");
        assertFalse(third.isDone(), "a third operation runs while two hold both slots");
        first.close();
        third.get(10, TimeUnit.SECONDS).close();
        second.close();
        assertEquals(2, slots.free());
    }

    @Test
    void anInterruptedCallerGoesAheadWithoutASlotAndKeepsItsInterrupt() throws Exception {
        EngineSlots slots = new EngineSlots(1);
        EngineSlots.Slot held = slots.acquire();
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread stopper = Thread.ofVirtual().start(() -> {
            try (EngineSlots.Slot none = slots.acquireOrProceed()) {
                interrupted.complete(Thread.currentThread().isInterrupted());
            }
        });
        await(() -> stopper.getState() == Thread.State.WAITING, "the stop waits for the slot");
        stopper.interrupt();
        assertTrue(interrupted.get(10, TimeUnit.SECONDS));
        assertEquals(0, slots.free(), "the slot-less operation freed nothing");
        held.close();
        assertEquals(1, slots.free());
    }
}
