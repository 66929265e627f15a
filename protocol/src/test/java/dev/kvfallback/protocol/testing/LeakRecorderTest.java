package dev.kvfallback.protocol.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proves the leak check can fail: a deliberately leaked buffer must be recorded. */
class LeakRecorderTest {

    @Test
    void leakedBufferIsRecorded() {
        leakOneBuffer();
        assertTrue(LeakRecorder.installed(),
                "LeakRecorder is not Netty's leak detector: run with the parent pom's test.jvm.args");
        List<LeakRecorder.Leak> leaks = List.of();
        for (int i = 0; i < 50 && leaks.isEmpty(); i++) {
            LeakCheckExtension.forceDetection();
            leaks = LeakRecorder.leaks();
        }
        try {
            assertFalse(leaks.isEmpty(), "a leaked ByteBuf went unnoticed");
            assertTrue(leaks.stream().anyMatch(l -> l.resourceType().contains("ByteBuf")), leaks::toString);
            assertTrue(leaks.stream().anyMatch(l -> l.records().contains("leakOneBuffer")),
                    "paranoid leak records name the allocating method: " + leaks);
        } finally {
            LeakRecorder.clear(); // the leak was on purpose: do not fail this class's LeakCheckExtension
        }
    }

    /** Allocates in its own frame so no local variable keeps the buffer reachable. */
    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        leaked.writeLong(42);
    }
}
