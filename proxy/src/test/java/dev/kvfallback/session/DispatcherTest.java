package dev.kvfallback.session;

import org.junit.jupiter.api.Test;

import static dev.kvfallback.session.Dispatcher.Target.ENGINE;
import static dev.kvfallback.session.Dispatcher.Target.ENGINE_SERIAL;
import static dev.kvfallback.session.Dispatcher.Target.PINNED;
import static dev.kvfallback.session.Dispatcher.Target.SHARED;
import static dev.kvfallback.session.Dispatcher.Target.SUBSCRIBER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One client's commands start in Redis's order across the places they run. */
class DispatcherTest {

    private final Dispatcher dispatcher = new Dispatcher();

    @Test
    void commandsForOnePlacePipelineAndAnotherPlaceWaitsForThemToAnswer() {
        dispatcher.started(SHARED, 2);
        assertTrue(dispatcher.mayStart(SHARED, 2), "more commands on the shared connection pipeline");
        dispatcher.started(SHARED, 2);
        assertFalse(dispatcher.mayStart(PINNED, 2), "BLPOP on the session's connection waits for the GETs");
        assertFalse(dispatcher.mayStart(ENGINE, 2));
        assertFalse(dispatcher.mayStart(SUBSCRIBER, 2));
        assertFalse(dispatcher.mayStart(SHARED, 3), "the other protocol's shared connection is another place");
        dispatcher.answered();
        assertFalse(dispatcher.mayStart(PINNED, 2), "one still in flight");
        dispatcher.answered();
        assertTrue(dispatcher.mayStart(PINNED, 2));
    }

    @Test
    void aCommandThatRunsAloneOnTheEngineWaitsForEverythingBeforeIt() {
        assertTrue(dispatcher.mayStart(ENGINE_SERIAL, 2), "nothing before it");
        dispatcher.started(ENGINE_SERIAL, 2);
        assertFalse(dispatcher.mayStart(ENGINE_SERIAL, 2), "not even another alone one");
        assertFalse(dispatcher.mayStart(ENGINE, 2));
        dispatcher.answered();
        dispatcher.started(ENGINE, 2);
        assertTrue(dispatcher.mayStart(ENGINE, 2), "keyed engine commands overlap (the engine orders them per key)");
        assertFalse(dispatcher.mayStart(ENGINE_SERIAL, 2));
    }

    @Test
    void workAsideCountsInFlightWithoutMovingTheBarrier() {
        dispatcher.started(PINNED, 2);
        dispatcher.startedAside();
        assertEquals(2, dispatcher.inflight());
        assertTrue(dispatcher.mayStart(PINNED, 2), "still on the session's connection");
        dispatcher.answered();
        dispatcher.answered();
        assertTrue(dispatcher.mayStart(SHARED, 2));
    }

    @Test
    void theInFlightLimitAndTheParkedQueueKeepArrivalOrder() {
        for (int i = 0; i < Dispatcher.MAX_INFLIGHT; i++) {
            assertTrue(dispatcher.hasRoom());
            dispatcher.started(SHARED, 2);
        }
        assertFalse(dispatcher.hasRoom());
        dispatcher.park("first");
        dispatcher.park("second");
        Object next = dispatcher.nextParked();
        assertEquals("first", next);
        dispatcher.park(next); // it could not start after all: parked again, at the tail...
        dispatcher.backToHead(); // ...and put back at the head
        assertEquals("first", dispatcher.nextParked());
        assertEquals("second", dispatcher.nextParked());
        assertNull(dispatcher.nextParked());
        assertTrue(dispatcher.nothingParked());
    }
}
