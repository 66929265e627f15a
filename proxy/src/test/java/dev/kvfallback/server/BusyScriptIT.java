package dev.kvfallback.server;

import dev.kvfallback.KvFallback;
import dev.kvfallback.failover.Failover;
import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.ProxiedRedisExtension;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RawClient;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.kvfallback.testing.RawClient.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A script a client of the proxy runs holds Redis as it would hold it for any client: the others
 * get Redis's BUSY, the script may run past the proxy's latency budget, SCRIPT KILL reaches Redis
 * at once (on a connection of its own, in every mode), and none of it switches the proxy to MongoDB.
 * Redis answers BUSY after 300 ms here ({@code busy-reply-threshold}); the proxy's budget is 1 s.
 */
class BusyScriptIT {

    private static final String FOREVER = "while true do end";
    /** Busy-waits 2.5 s, past the proxy's 1 s latency budget. */
    private static final String SLOW = "local t = redis.call('TIME') local s = t[1] * 1e6 + t[2] "
            + "while true do t = redis.call('TIME') if t[1] * 1e6 + t[2] - s > 2500000 then break end end return 'done'";
    private static final String BUSY =
            "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\\r\\n";
    private static final String ADMIN_KEY = "busy-admin-key";

    @RegisterExtension
    static final ProxiedRedisExtension STACK = ProxiedRedisExtension.with(new String[] {"--busy-reply-threshold", "300"},
            "redis://127.0.0.1:%d?timeout=1s", "--admin-key", ADMIN_KEY);

    @Test
    void aRunawayScriptIsKilledThroughTheProxyAndRedisIsKept() throws Exception {
        try (RawClient script = new RawClient(STACK.proxy().port()); RawClient other = new RawClient(STACK.proxy().port());
             RawClient admin = new RawClient(STACK.proxy().port())) {
            script.send("EVAL", FOREVER, "0");
            Thread.sleep(600);
            assertEquals(BUSY, show(other.call("GET", "k")), "others get Redis's BUSY");
            assertEquals(Failover.Mode.PRIMARY, STACK.proxy().failover().mode(), "a client's script switched the mode");
            assertEquals("+OK\\r\\n", show(other.call("MULTI")), "MULTI is allowed while busy");
            assertEquals(BUSY, show(other.call("SET", "k", "v")));
            assertEquals("-EXECABORT Transaction discarded because of: " + BUSY.substring(1), show(other.call("EXEC")),
                    "Redis's own EXECABORT");
            assertEquals("+OK\\r\\n", show(admin.call("SCRIPT", "KILL")));
            String killed = show(script.readReply());
            assertTrue(killed.startsWith("-ERR") && killed.contains("Script killed by user with SCRIPT KILL"), killed);
            assertEquals("$-1\\r\\n", show(other.call("GET", "k")));
            assertEquals("-NOTBUSY No scripts in execution right now.\\r\\n", show(admin.call("SCRIPT", "KILL")));
            assertEquals(Failover.Mode.PRIMARY, STACK.proxy().failover().mode());
        }
    }

    @Test
    void aScriptLongerThanTheLatencyBudgetIsNoOutage() throws Exception {
        try (RawClient script = new RawClient(STACK.proxy().port()); RawClient other = new RawClient(STACK.proxy().port())) {
            script.send("EVAL", SLOW, "0");
            Thread.sleep(100);
            long start = System.nanoTime();
            assertEquals(BUSY, show(other.call("INCR", "counter")), "others wait, then get BUSY: no timeout");
            assertTrue((System.nanoTime() - start) / 1_000_000 < 1000, "BUSY came after the latency budget");
            assertEquals("$4\\r\\ndone\\r\\n", show(script.readReply()), "the script ran to its end");
            assertEquals(Failover.Mode.PRIMARY, STACK.proxy().failover().mode(), "a client's script switched the mode");
            assertEquals(":1\\r\\n", show(other.call("INCR", "counter")));
            other.call("DEL", "counter");
        }
    }

    @Test
    void scriptKillReachesRedisWhileServingFromMongo() throws Exception {
        try (RawClient direct = new RawClient(STACK.redis().port()); RawClient admin = new RawClient(STACK.proxy().port())) {
            Backups.post(STACK.proxy(), "/api/admin/mode?mode=fallback", ADMIN_KEY);
            assertTrue(STACK.proxy().failover().servesFromMongo());
            direct.send("EVAL", FOREVER, "0"); // another app's script, on Redis directly
            Thread.sleep(500);
            assertEquals("+OK\\r\\n", show(admin.call("SCRIPT", "KILL")));
            String killed = show(direct.readReply());
            assertTrue(killed.contains("Script killed by user with SCRIPT KILL"), killed);
            assertTrue(show(admin.call("FUNCTION", "STATS")).startsWith("*4\\r\\n$14\\r\\nrunning_script\\r\\n"),
                    "FUNCTION STATS is Redis's");
        } finally {
            Backups.post(STACK.proxy(), "/api/admin/mode?mode=auto", ADMIN_KEY);
        }
    }

    @Test
    void withoutRedisNoScriptRunsSoAKillFindsNone() throws Exception {
        try (KvFallback mongoOnly = Proxy.start("redis://127.0.0.1:" + RedisServer.freePort(), "--mode", "fallback");
             RawClient c = new RawClient(mongoOnly.port())) {
            assertEquals("-NOTBUSY No scripts in execution right now.\\r\\n", show(c.call("SCRIPT", "KILL")));
            assertEquals("-NOTBUSY No scripts in execution right now.\\r\\n", show(c.call("FUNCTION", "KILL")));
        }
        try (RedisServer gone = RedisServer.start(); KvFallback auto = Proxy.start(gone.url());
             RawClient c = new RawClient(auto.port())) {
            gone.close();
            assertEquals("-NOTBUSY No scripts in execution right now.\\r\\n", show(c.call("SCRIPT", "KILL")));
        }
    }
}
