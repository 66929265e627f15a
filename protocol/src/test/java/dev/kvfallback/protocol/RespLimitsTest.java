package dev.kvfallback.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RespLimitsTest {

    @Test
    void defaultsAreRedis70() {
        RespLimits d = RespLimits.defaults();
        assertEquals(512 * 1024 * 1024, d.maxBulkLength());
        assertEquals(64 * 1024, d.maxInlineLength());
        assertEquals(Integer.MAX_VALUE, d.maxArrayLength());
        assertEquals(1 << 24, d.maxAggregateLength());
        assertEquals(64, d.maxNestingDepth());
        assertEquals(10, d.unauthenticatedMaxArrayLength());
        assertEquals(16384, d.unauthenticatedMaxBulkLength());
    }

    @Test
    void withersChangeOneLimit() {
        RespLimits l = RespLimits.defaults().withMaxBulkLength(100).withMaxNestingDepth(5);
        assertEquals(100, l.maxBulkLength());
        assertEquals(5, l.maxNestingDepth());
        assertEquals(Integer.MAX_VALUE, l.maxArrayLength());
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> RespLimits.defaults().withMaxBulkLength(Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> RespLimits.defaults().withMaxBulkLength(-1));
        assertThrows(IllegalArgumentException.class, () -> RespLimits.defaults().withMaxNestingDepth(0));
        assertThrows(IllegalArgumentException.class, () -> RespLimits.defaults().withMaxArrayLength(0));
    }
}
