package dev.kvfallback.server;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientMemoryTest {

    @Test
    void aClientPastTheBudgetWaitsUntilAnotherGivesRoomBack() {
        ClientMemory memory = new ClientMemory(100);
        assertTrue(memory.take(60));
        assertFalse(memory.take(60), "120 of 100");
        AtomicInteger woken = new AtomicInteger();
        memory.whenRoom(woken::incrementAndGet);
        memory.whenRoom(woken::incrementAndGet);
        assertEquals(0, woken.get(), "no room yet");
        memory.give(10);
        assertEquals(0, woken.get(), "110 of 100: still none");
        memory.give(60);
        assertEquals(2, woken.get(), "every waiter is woken once there is room");
        memory.give(50);
        assertEquals(2, woken.get(), "and only once");
        assertEquals(0, memory.held());
    }

    @Test
    void withRoomAWaiterRunsAtOnceAndZeroMeansNoLimit() {
        ClientMemory memory = new ClientMemory(100);
        AtomicInteger woken = new AtomicInteger();
        memory.whenRoom(woken::incrementAndGet);
        assertEquals(1, woken.get());
        ClientMemory unlimited = new ClientMemory(0);
        assertTrue(unlimited.take(Long.MAX_VALUE / 4));
    }
}
