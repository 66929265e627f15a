package dev.kvfallback.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvfallback.config.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {

    private static final String KEY = "s3cret-admin-key";
    private static final HostPort ANY_PORT = new HostPort("127.0.0.1", 0);

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final RecordingAdmin admin = new RecordingAdmin();
    private AdminServer server;
    private String base;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void healthAnswersTheAdminsFieldsAsJsonWithoutAKey() throws Exception {
        start(KEY, admin);
        HttpResponse<String> response = get("/api/admin/db-health");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"status\":\"ok\",\"redis\":{\"up\":true,\"keys\":12},\"notes\":[\"a\\\"b\",null]}",
                response.body());
    }

    @Test
    void operationsWithoutOrWithAWrongKeyAreRefusedWith401AndNotRun() throws Exception {
        start(KEY, admin);
        for (String path : List.of("/api/admin/backfill", "/api/admin/verify?repair=true")) {
            for (String key : new String[] {null, "wrong", KEY + "x", ""}) {
                HttpResponse<String> response = post(path, key);
                assertEquals(401, response.statusCode(), path + " with key " + key);
                assertEquals("{\"error\":\"invalid or missing x-admin-key\"}", response.body());
                assertFalse(response.body().contains(KEY));
            }
        }
        assertEquals(0, admin.backfills.get() + admin.verifies.get());
    }

    @Test
    void operationsAreRefusedWith403WhenNoKeyIsConfigured() throws Exception {
        start(null, admin);
        for (String path : List.of("/api/admin/backfill", "/api/admin/verify")) {
            for (String key : new String[] {null, KEY}) {
                HttpResponse<String> response = post(path, key);
                assertEquals(403, response.statusCode());
                assertEquals("{\"error\":\"admin operations are disabled: no admin key is configured"
                        + " (--admin-key)\"}", response.body());
            }
        }
        assertEquals(0, admin.backfills.get() + admin.verifies.get());
        assertEquals(200, get("/api/admin/db-health").statusCode());
    }

    @Test
    void backfillWithTheKeyRunsAndAnswersItsResult() throws Exception {
        start(KEY, admin);
        HttpResponse<String> response = post("/api/admin/backfill", KEY);
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"started\":true,\"copied\":0}", response.body());
        assertEquals(1, admin.backfills.get());
    }

    @Test
    void verifyPassesRepairAndSampleToTheAdmin() throws Exception {
        start(KEY, admin);
        HttpResponse<String> response = post("/api/admin/verify", KEY);
        assertEquals(200, response.statusCode());
        assertEquals("{\"repair\":false,\"sample\":20}", response.body());

        assertEquals("{\"repair\":true,\"sample\":5}", post("/api/admin/verify?repair=yes&sample=5", KEY).body());
        assertEquals("{\"repair\":true,\"sample\":0}", post("/api/admin/verify?sample=0&repair=1", KEY).body());
        assertEquals("{\"repair\":true,\"sample\":1000}", post("/api/admin/verify?repair=TRUE&sample=1000", KEY).body());
        assertEquals("{\"repair\":false,\"sample\":20}", post("/api/admin/verify?repair=no", KEY).body());
        assertEquals(5, admin.verifies.get());
    }

    @Test
    void aBadSampleIsRefusedWith400NamingTheParameter() throws Exception {
        start(KEY, admin);
        for (String sample : List.of("abc", "-1", "1001", "", "2.5", "99999999999")) {
            HttpResponse<String> response = post("/api/admin/verify?sample=" + sample, KEY);
            assertEquals(400, response.statusCode(), "sample=" + sample);
            assertTrue(response.body().startsWith("{\"error\":\"parameter sample "), response.body());
        }
        assertEquals(0, admin.verifies.get());
    }

    @Test
    void aWrongMethodIsRefusedWith405AndAnAllowHeader() throws Exception {
        start(KEY, admin);
        HttpResponse<String> onHealth = post("/api/admin/db-health", KEY);
        assertEquals(405, onHealth.statusCode());
        assertEquals("GET", onHealth.headers().firstValue("Allow").orElse(""));
        assertTrue(onHealth.body().startsWith("{\"error\":"), onHealth.body());

        HttpResponse<String> onBackfill = get("/api/admin/backfill");
        assertEquals(405, onBackfill.statusCode());
        assertEquals("POST", onBackfill.headers().firstValue("Allow").orElse(""));
        assertEquals(0, admin.backfills.get());
    }

    @Test
    void anUnknownPathIsRefusedWith404Json() throws Exception {
        start(KEY, admin);
        for (String path : List.of("/index.html", "/api/admin", "/api/admin/db-health/", "/api/admin/nope")) {
            HttpResponse<String> response = get(path);
            assertEquals(404, response.statusCode(), path);
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
            assertTrue(response.body().startsWith("{\"error\":"), response.body());
        }
    }

    @Test
    void thePanelIsServedWithoutAKeyFromTheJarWithItsScriptAndStyle() throws Exception {
        start(KEY, admin);
        for (String path : List.of("/", "/admin")) {
            HttpResponse<String> page = get(path);
            assertEquals(200, page.statusCode(), path);
            assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
            assertTrue(page.body().contains("id=\"mode\""), page.body());
            assertTrue(page.body().contains("<script src=\"admin.js\""), "the script is a file of its own: " + page.body());
            assertFalse(page.body().contains("<style"), "no inline style under the policy");
        }
        HttpResponse<String> script = get("/admin.js");
        assertEquals(200, script.statusCode());
        assertEquals("text/javascript; charset=utf-8", script.headers().firstValue("Content-Type").orElse(""));
        assertTrue(script.body().contains("api/admin/db-health"), "the script polls the health JSON");
        HttpResponse<String> style = get("/admin.css");
        assertEquals(200, style.statusCode());
        assertEquals("text/css; charset=utf-8", style.headers().firstValue("Content-Type").orElse(""));
        assertEquals(405, post("/", KEY).statusCode());
    }

    @Test
    void thePanelLoadsNothingFromElsewhereAndPutsNoDataInMarkup() throws Exception {
        start(KEY, admin);
        for (String path : List.of("/", "/admin.js", "/admin.css")) {
            String body = get(path).body();
            assertFalse(body.matches("(?s).*(src|href)=\"(https?:)?//.*"), path + " loads nothing from another origin");
            assertFalse(body.matches("(?s).*url\\((['\"])?(https?:)?//.*"), path + " has no remote url()");
            assertFalse(body.contains("@import"), path);
        }
        String script = get("/admin.js").body();
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")) {
            assertFalse(script.contains(sink), "the script never writes markup: " + sink);
        }
        assertTrue(script.contains("sessionStorage"), "the key is kept in the tab's session only");
        assertFalse(script.contains("localStorage"), "never kept beyond the session");
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        start(KEY, admin);
        for (HttpResponse<String> response : List.of(get("/"), get("/admin.js"), get("/api/admin/db-health"),
                get("/metrics"), post("/api/admin/backfill", "wrong"), get("/nope"))) {
            String path = response.uri().getPath();
            String policy = response.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(policy.startsWith("default-src 'self'; script-src 'self'"), path + ": " + policy);
            assertTrue(policy.contains("frame-ancestors 'none'"), path + ": " + policy);
            assertFalse(policy.contains("unsafe-inline") || policy.contains("unsafe-eval"), path + ": " + policy);
            assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElse(""), path);
            assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""), path);
            assertEquals("no-referrer", response.headers().firstValue("Referrer-Policy").orElse(""), path);
            assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""), path);
        }
    }

    @Test
    void anAdminFailureAnswers500WithItsMessageOnOneLine() throws Exception {
        start(KEY, new FailingAdmin());
        HttpResponse<String> verify = post("/api/admin/verify", KEY);
        assertEquals(500, verify.statusCode());
        assertEquals("{\"error\":\"MongoDB unreachable: timed out\"}", verify.body());

        HttpResponse<String> backfill = post("/api/admin/backfill", KEY);
        assertEquals(500, backfill.statusCode());
        assertEquals("{\"error\":\"backfill refused\"}", backfill.body());

        HttpResponse<String> health = get("/api/admin/db-health");
        assertEquals(500, health.statusCode());
        assertEquals("{\"error\":\"health unavailable\"}", health.body());
    }

    @Test
    void anOperationThatOutlivesTheTimeoutAnswers504() throws Exception {
        Admin stuck = new RecordingAdmin() {
            @Override
            public CompletionStage<Map<String, Object>> backfill() {
                return new CompletableFuture<>();
            }
        };
        server = new AdminServer(ANY_PORT, KEY, stuck, Duration.ofMillis(200));
        base = "http://127.0.0.1:" + server.start().getPort();
        HttpResponse<String> response = post("/api/admin/backfill", KEY);
        assertEquals(504, response.statusCode());
        assertTrue(response.body().contains("may still be running"), response.body());
    }

    @Test
    void aBodyOver64KiBIsRefusedWith413() throws Exception {
        start(KEY, admin);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/admin/backfill"))
                .header("x-admin-key", KEY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[AdminServer.MAX_BODY + 1])).build();
        assertEquals(413, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(0, admin.backfills.get());

        HttpRequest small = HttpRequest.newBuilder(URI.create(base + "/api/admin/backfill"))
                .header("x-admin-key", KEY).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        assertEquals(200, client.send(small, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void closingFreesThePortForANewServer() throws Exception {
        InetSocketAddress first = start(KEY, admin);
        server.close();
        server = new AdminServer(new HostPort("127.0.0.1", first.getPort()), KEY, admin);
        InetSocketAddress second = server.start();
        assertEquals(first.getPort(), second.getPort());
        assertEquals(200, get("/api/admin/db-health").statusCode());
    }

    private InetSocketAddress start(String key, Admin which) throws IOException {
        server = new AdminServer(ANY_PORT, key, which);
        InetSocketAddress bound = server.start();
        base = "http://127.0.0.1:" + bound.getPort();
        return bound;
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).GET().build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            request.header("x-admin-key", key);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Counts calls and answers fixed maps; verify echoes the parameters it was given. */
    @Test
    void metricsAreServedAsPrometheusTextWithoutAKey() throws Exception {
        start(KEY, admin);
        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("# TYPE kvfallback_test counter\nkvfallback_test_total 1.0\n", response.body());
    }

    @Test
    void modeNeedsTheKeyAndAValidMode() throws Exception {
        start(KEY, admin);
        HttpRequest noKey = HttpRequest.newBuilder(URI.create(base + "/api/admin/mode?mode=fallback"))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        assertEquals(401, client.send(noKey, HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpRequest bad = HttpRequest.newBuilder(URI.create(base + "/api/admin/mode?mode=mongo"))
                .header("x-admin-key", KEY).POST(HttpRequest.BodyPublishers.noBody()).build();
        assertEquals(400, client.send(bad, HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpRequest good = HttpRequest.newBuilder(URI.create(base + "/api/admin/mode?mode=fallback"))
                .header("x-admin-key", KEY).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = client.send(good, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("{\"mode\":\"fallback\"}", response.body());
        assertEquals(java.util.List.of("fallback"), admin.modes);
    }

    @Test
    void modeTakesAJsonBodyAsSpecified() throws Exception {
        start(KEY, admin);
        HttpRequest json = HttpRequest.newBuilder(URI.create(base + "/api/admin/mode"))
                .header("x-admin-key", KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"mode\": \"fallback\"}")).build();
        HttpResponse<String> response = client.send(json, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"mode\":\"fallback\"}", response.body());
        HttpRequest both = HttpRequest.newBuilder(URI.create(base + "/api/admin/mode?mode=auto"))
                .header("x-admin-key", KEY).POST(HttpRequest.BodyPublishers.ofString("{\"mode\":\"fallback\"}")).build();
        assertEquals(200, client.send(both, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(java.util.List.of("fallback", "auto"), admin.modes, "the query string wins over the body");
        for (String body : new String[] {"{\"mode\": \"mongo\"}", "mode=fallback", "[\"fallback\"]", "{"}) {
            HttpRequest bad = HttpRequest.newBuilder(URI.create(base + "/api/admin/mode"))
                    .header("x-admin-key", KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            assertEquals(400, client.send(bad, HttpResponse.BodyHandlers.ofString()).statusCode(), body);
        }
        assertEquals(2, admin.modes.size(), "a refused body changed the mode");
    }

    private static class RecordingAdmin implements Admin {
        final AtomicInteger backfills = new AtomicInteger();
        final AtomicInteger verifies = new AtomicInteger();

        @Override
        public Map<String, Object> health() {
            Map<String, Object> redis = new LinkedHashMap<>();
            redis.put("up", true);
            redis.put("keys", 12L);
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("status", "ok");
            health.put("redis", redis);
            health.put("notes", java.util.Arrays.asList("a\"b", null));
            return health;
        }

        @Override
        public CompletionStage<Map<String, Object>> backfill() {
            backfills.incrementAndGet();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("started", true);
            result.put("copied", 0);
            return CompletableFuture.completedFuture(result);
        }

        @Override
        public CompletionStage<Map<String, Object>> verify(boolean repair, int sample) {
            verifies.incrementAndGet();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("repair", repair);
            result.put("sample", sample);
            return CompletableFuture.supplyAsync(() -> result);
        }

        final java.util.List<String> modes = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Map<String, Object>> mode(String mode) {
            modes.add(mode);
            return CompletableFuture.completedFuture(Map.of("mode", mode));
        }

        @Override
        public String metrics() {
            return "# TYPE kvfallback_test counter\nkvfallback_test_total 1.0\n";
        }
    }

    /** Fails every way an implementation can: a failed stage, a throw, a multi-line message. */
    private static final class FailingAdmin implements Admin {
        @Override
        public Map<String, Object> health() {
            throw new IllegalStateException("health unavailable");
        }

        @Override
        public CompletionStage<Map<String, Object>> backfill() {
            throw new IllegalStateException("backfill refused");
        }

        @Override
        public CompletionStage<Map<String, Object>> verify(boolean repair, int sample) {
            return CompletableFuture.failedFuture(new IOException("MongoDB unreachable:\r\ntimed out"));
        }

        @Override
        public CompletionStage<Map<String, Object>> mode(String mode) {
            return CompletableFuture.failedFuture(new IOException("no"));
        }

        @Override
        public String metrics() {
            throw new IllegalStateException("no metrics");
        }
    }
}
