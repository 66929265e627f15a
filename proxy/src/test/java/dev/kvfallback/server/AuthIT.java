package dev.kvfallback.server;

import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.ProxiedRedisExtension;
import dev.kvfallback.testing.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.kvfallback.testing.RawClient.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy's own password ({@code --requirepass}) against an upstream that has one of its own
 * (given in the URL as {@code default:TOKEN@}, as Upstash and Vercel KV hand it out).
 */
class AuthIT {

    @RegisterExtension
    static final ProxiedRedisExtension STACK = ProxiedRedisExtension.with(new String[] {"--requirepass", "upstream-token"},
                "redis://default:upstream-token@127.0.0.1:%d", "--requirepass", "s3cret", "--admin-key", "adm1n-key",
                "--metrics-require-key", "yes");

    @Test
    void nothingRunsBeforeAuth() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            assertEquals("-NOAUTH Authentication required.\\r\\n", show(c.call("GET", "k")));
            assertEquals("-NOAUTH Authentication required.\\r\\n", show(c.call("PING")));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\\r\\n",
                    show(c.call("AUTH", "wrong")));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\\r\\n",
                    show(c.call("AUTH", "someone", "s3cret")));
            assertTrue(show(c.call("HELLO", "3")).startsWith("-NOAUTH HELLO must be called"));
            assertEquals("+OK\\r\\n", show(c.call("AUTH", "s3cret")));
            assertEquals("+OK\\r\\n", show(c.call("SET", "k", "v")));
            assertEquals("$1\\r\\nv\\r\\n", show(c.call("GET", "k")));
        }
    }

    @Test
    void helloCanAuthenticate() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            String hello = show(c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "app"));
            assertTrue(hello.startsWith("%7\\r\\n$6\\r\\nserver\\r\\n$5\\r\\nredis"), hello);
            assertEquals("$3\\r\\napp\\r\\n", show(c.call("CLIENT", "GETNAME")));
            assertEquals("+OK\\r\\n", show(c.call("SET", "hello:k", "v")));
            assertEquals(":1\\r\\n", show(c.call("EXISTS", "hello:k")));
        }
    }

    @Test
    void aPinnedConnectionGivenBackServesTheNextSessionAuthenticatedOnItsDb() throws Exception {
        // Each session's own connection goes back to the pool after RESET, which logs it out of
        // Redis and selects db 0: the proxy authenticates it again (RESP2 AUTH, RESP3 HELLO 3 AUTH).
        for (int round = 0; round < 8; round++) {
            String protocol = round % 2 == 0 ? "2" : "3";
            try (RawClient c = new RawClient(STACK.proxy().port())) {
                c.call("AUTH", "s3cret");
                c.call("HELLO", protocol);
                assertEquals("+OK\\r\\n", show(c.call("SELECT", "2")));
                assertEquals("+OK\\r\\n", show(c.call("SET", "pool:k", "round" + round)), "round " + round);
                assertEquals(protocol.equals("2") ? "*-1\\r\\n" : "_\\r\\n", show(c.call("BLPOP", "pool:none", "0.01")));
                assertEquals("$6\\r\\nround" + round + "\\r\\n", show(c.call("GET", "pool:k")));
            }
            try (RawClient fresh = new RawClient(STACK.proxy().port())) {
                fresh.call("AUTH", "s3cret");
                assertEquals("$-1\\r\\n", show(fresh.call("GET", "pool:k")), "db 0 is untouched");
            }
        }
        assertEquals(dev.kvfallback.failover.Failover.Mode.PRIMARY, STACK.proxy().failover().mode());
    }

    @Test
    void unauthenticatedClientsCannotSendHugeRequests() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            c.writeBytes("*100\r\n".getBytes());
            assertEquals("-ERR Protocol error: unauthenticated multibulk length\\r\\n", show(c.readReply()));
            assertTrue(c.closedByPeer(2000));
        }
    }

    @Test
    void theUpstreamPasswordNeverShowsInInfo() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            c.call("AUTH", "s3cret");
            String info = show(c.call("INFO"));
            assertTrue(info.contains("kvfallback_upstream:redis://default:***@127.0.0.1:" + STACK.redis().port()), info);
            assertTrue(!info.contains("upstream-token"), "INFO leaks the upstream password");
        }
    }

    @Test
    void configGetDoesNotHandOutTheUpstreamPassword() throws Exception {
        try (RawClient c = new RawClient(STACK.proxy().port())) {
            c.call("AUTH", "s3cret");
            assertEquals("*2\\r\\n$11\\r\\nrequirepass\\r\\n$3\\r\\n***\\r\\n", show(c.call("CONFIG", "GET", "requirepass")));
            assertEquals("*2\\r\\n$9\\r\\nmaxmemory\\r\\n$1\\r\\n0\\r\\n", show(c.call("CONFIG", "GET", "maxmemory")));
        }
    }

    @Test
    void theAdminEndpointShowsNoSecretAndTheScrapeNeedsTheKey() throws Exception {
        String health = Backups.get(STACK.proxy(), "/api/admin/db-health").body();
        for (String secret : new String[] {"upstream-token", "s3cret", "adm1n-key"}) {
            assertTrue(!health.contains(secret), "the health JSON shows " + secret + ": " + health);
        }
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + STACK.proxy().adminAddress().getPort() + "/metrics");
        assertEquals(401, http.send(java.net.http.HttpRequest.newBuilder(metrics).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(401, http.send(java.net.http.HttpRequest.newBuilder(metrics).header("Authorization", "Bearer wrong").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        var scrape = http.send(java.net.http.HttpRequest.newBuilder(metrics).header("Authorization", "Bearer adm1n-key").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.body().contains("kvfallback_auth_failures_total"), scrape.body());
        assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(metrics).header("x-admin-key", "adm1n-key").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
