package dev.kvfallback.concurrent;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleTest {

    @Test
    void aWaiterCompletesWhenTheLastWorkEndsAndNotBefore() {
        Idle idle = new Idle();
        assertTrue(idle.whenIdle().isDone(), "nothing in progress: at once");
        idle.enter();
        idle.enter();
        CompletableFuture<Void> waiter = idle.whenIdle();
        idle.exit();
        assertFalse(waiter.isDone(), "one piece of work is still in progress");
        idle.exit();
        assertTrue(waiter.isDone());
        assertEquals(0, idle.count());
    }

    @Test
    void noWaiterIsMissedWhileManyThreadsStartAndEndWork() throws Exception {
        Idle idle = new Idle();
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<CompletableFuture<Void>> waiters = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    idle.enter();
                    if (i % 7 == 0) {
                        waiters.add(idle.whenIdle());
                    }
                    idle.exit();
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertEquals(0, idle.count());
        CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
    }
}
