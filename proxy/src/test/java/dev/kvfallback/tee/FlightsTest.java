package dev.kvfallback.tee;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the tee may trust the order acknowledgements arrive in: only when no write on another
 * connection overlapped a write to the same key.
 */
class FlightsTest {

    private final Flights flights = new Flights();
    private final long one = flights.domain();
    private final long two = flights.domain();

    @Test
    void overlappingWritesOnOneConnectionNeverLandMixed() {
        Flights.Flight a = flights.depart(0, keys("k"), one);
        Flights.Flight b = flights.depart(0, keys("k"), one);
        Flights.Flight c = flights.depart(0, keys("k"), one);
        assertFalse(flights.land(a));
        assertFalse(flights.land(b));
        assertFalse(flights.land(c));
    }

    @Test
    void aWaitForNoWriteInFlightEndsWhenTheLastOneLands() {
        assertTrue(flights.whenNoneInFlight().isDone());
        Flights.Flight a = flights.depart(0, keys("k"), one);
        Flights.Flight b = flights.depart(1, keys("x", "y"), two);
        var waiting = flights.whenNoneInFlight();
        flights.land(b);
        assertFalse(waiting.isDone(), "a write is still in flight");
        flights.land(a);
        assertTrue(waiting.isDone());
    }

    @Test
    void overlappingWritesOnTwoConnectionsBothLandMixed() {
        Flights.Flight a = flights.depart(0, keys("k"), one);
        Flights.Flight b = flights.depart(0, keys("k"), two);
        assertTrue(flights.land(b), "the later write, landing first");
        assertTrue(flights.land(a), "the earlier write, landing last");
    }

    @Test
    void aWriteOverlappingAMixedPairIsMixedToo() {
        Flights.Flight a = flights.depart(0, keys("k"), one);
        Flights.Flight b = flights.depart(0, keys("k"), two);
        assertTrue(flights.land(a));
        Flights.Flight c = flights.depart(0, keys("k"), one);
        assertTrue(flights.land(c), "c overlapped b, which is on another connection");
        assertTrue(flights.land(b));
    }

    @Test
    void aWriteDepartingAfterTheOtherLandedIsNotMixed() {
        assertFalse(flights.land(flights.depart(0, keys("k"), one)));
        assertFalse(flights.land(flights.depart(0, keys("k"), two)));

        Flights.Flight a = flights.depart(0, keys("k"), one);
        Flights.Flight b = flights.depart(0, keys("k"), two);
        flights.land(a);
        flights.land(b);
        assertFalse(flights.land(flights.depart(0, keys("k"), two)),
                "an old overlap does not taint writes after every flight landed");
    }

    @Test
    void writesToOtherKeysOrDbsDoNotMix() {
        Flights.Flight a = flights.depart(0, keys("k"), one);
        Flights.Flight b = flights.depart(0, keys("other"), two);
        Flights.Flight c = flights.depart(1, keys("k"), two);
        assertFalse(flights.land(a));
        assertFalse(flights.land(b));
        assertFalse(flights.land(c));
    }

    @Test
    void aMultiKeyWriteIsMixedIfAnyOfItsKeysOverlapped() {
        Flights.Flight mset = flights.depart(0, keys("x", "y", "z"), one);
        Flights.Flight onY = flights.depart(0, keys("y"), two);
        Flights.Flight onW = flights.depart(0, keys("w"), two);
        assertTrue(flights.land(onY));
        assertFalse(flights.land(onW));
        assertTrue(flights.land(mset));
    }

    @Test
    void everyKeyIsReleasedOnceItsFlightsLand() {
        List<Flights.Flight> inAir = new ArrayList<>();
        inAir.add(flights.depart(0, keys("a", "b"), one));
        inAir.add(flights.depart(0, keys("b", "c"), two));
        inAir.add(flights.depart(3, keys("a"), one));
        assertEquals(4, flights.size());
        for (Flights.Flight f : inAir) {
            flights.land(f);
        }
        assertEquals(0, flights.size());
    }

    @Test
    void concurrentFlightsFromManyThreadsAllRelease() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long domain = flights.domain();
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        flights.land(flights.depart(0, keys("k" + (i % 5), "shared"), domain));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, flights.size());
    }

    @Test
    void everyDomainIsAConnectionOfItsOwn() {
        Set<Long> seen = new HashSet<>(List.of(one, two));
        for (int i = 0; i < 1000; i++) {
            assertTrue(seen.add(flights.domain()));
        }
    }

    private static List<byte[]> keys(String... keys) {
        List<byte[]> out = new ArrayList<>();
        for (String k : keys) {
            out.add(k.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }
}
