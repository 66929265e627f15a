package dev.kvfallback.protocol.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. Registered for every test
 * by JUnit's extension autodetection (META-INF/services plus
 * {@code junit.jupiter.extensions.autodetection.enabled=true}).
 *
 * <p>Why the dance in {@link #forceDetection}: Netty notices a leak only when a leaked buffer has
 * been garbage collected and a later allocation polls the detector's reference queue. So after
 * each class this collects garbage and allocates and releases a few pooled and unpooled buffers.
 * A leak is blamed on the class after which it was found, which is nearly always its origin.
 */
public class LeakCheckExtension implements AfterAllCallback {

    private static final ByteBufAllocator[] ALLOCATORS = {
        ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT,
    };

    @Override
    public void afterAll(ExtensionContext context) {
        for (int i = 0; i < 3 && LeakRecorder.leaks().isEmpty(); i++) {
            forceDetection();
        }
        List<LeakRecorder.Leak> leaks = LeakRecorder.leaks();
        if (!leaks.isEmpty()) {
            LeakRecorder.clear(); // report each leak once, not again after every later class
            throw new AssertionError(leaks.size() + " Netty leak(s) detected after "
                    + context.getDisplayName() + ":\n"
                    + leaks.stream().map(l -> l.resourceType() + "\n" + l.records())
                            .collect(Collectors.joining("\n")));
        }
    }

    /** Collects garbage and makes the leak detectors poll their queues once. */
    public static void forceDetection() {
        System.gc();
        try {
            Thread.sleep(20); // let the reference handler enqueue what the collector cleared
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ByteBufAllocator allocator : ALLOCATORS) {
            for (int i = 0; i < 4; i++) {
                allocator.heapBuffer(8).release();
                allocator.directBuffer(8).release();
            }
        }
    }
}
