/*
 * Design: the admin endpoint is the JDK's HttpServer on its own small pool of daemon threads,
 * apart from the Netty event loops, so a handler may wait for a backfill or a verify to finish
 * (for at most a bounded time, then 504). One handler serves every path and reads as a
 * checklist, like the proxy's command dispatch: route (404) → method (405) → body size (413)
 * → key (403/401) → parameters (400) → Admin (200, or 500 on its failure). Every answer is
 * JSON, rejections are {"error": ...}, and the exchange is always closed.
 * The admin panel (GET / or /admin) is three static files read from the jar once, at construction:
 * a page, its script and its style sheet. Nothing is fetched from elsewhere, and the page reads
 * the health JSON and sends operations like any other client, the key in x-admin-key. Every answer
 * carries headers that keep the page from being framed, sniffed, cached or referred, and a
 * Content-Security-Policy that lets the page load only its own files and talk only to this origin.
 * The key is kept only as its SHA-256 digest and compared with MessageDigest.isEqual, so
 * neither its value nor its length reaches a response, a log line or a timing difference.
 */
package dev.kvfallback.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kvfallback.config.HostPort;
import dev.kvfallback.config.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP endpoint: the admin panel (a Database Health page), database health JSON, the
 * Prometheus scrape (key-protected if so configured), and key-protected operations (mode,
 * backfill, verify). Every JSON answer passes through {@link Secrets}.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    static final String HEALTH = "/api/admin/db-health";
    static final String BACKFILL = "/api/admin/backfill";
    static final String VERIFY = "/api/admin/verify";
    static final String MODE = "/api/admin/mode";
    static final String METRICS = "/metrics";
    static final String PANEL = "/";
    static final String PANEL_ALIAS = "/admin";
    static final String PANEL_SCRIPT = "/admin.js";
    static final String PANEL_STYLE = "/admin.css";
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";
    static final int MAX_BODY = 64 * 1024;
    /** A body declared up to this size is read (and dropped) before it is refused. */
    private static final int DRAIN_LIMIT = 1024 * 1024;
    static final int MAX_SAMPLE = 1000;
    private static final int DEFAULT_SAMPLE = 20;
    private static final int THREADS = 4;
    // Requests beyond the threads and this queue are refused: HttpServer then closes the connection.
    private static final int QUEUE = 64;
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    private final HostPort listen;
    private final byte[] keyDigest;
    private final Secrets secrets;
    private final Admin admin;
    private final Duration timeout;
    private final Map<String, Route> routes;
    private HttpServer server;
    private ExecutorService executor;

    /** An endpoint on {@code listen}; a null {@code adminKey} disables backfill and verify. */
    public AdminServer(HostPort listen, String adminKey, Admin admin) {
        this(listen, adminKey, admin, false, Secrets.none(), DEFAULT_TIMEOUT);
    }

    /**
     * @param metricsRequireKey whether the Prometheus scrape needs the key too
     * @param secrets           masked in every answer (an error message may quote a URI)
     */
    public AdminServer(HostPort listen, String adminKey, Admin admin, boolean metricsRequireKey, Secrets secrets) {
        this(listen, adminKey, admin, metricsRequireKey, secrets, DEFAULT_TIMEOUT);
    }

    AdminServer(HostPort listen, String adminKey, Admin admin, Duration timeout) {
        this(listen, adminKey, admin, false, Secrets.none(), timeout);
    }

    AdminServer(HostPort listen, String adminKey, Admin admin, boolean metricsRequireKey, Secrets secrets,
                Duration timeout) {
        this.listen = listen;
        this.secrets = secrets;
        this.keyDigest = adminKey == null ? null : Secrets.digest(adminKey);
        this.admin = admin;
        this.timeout = timeout;
        Asset page = Asset.load("panel/index.html", "text/html; charset=utf-8");
        Asset script = Asset.load("panel/admin.js", "text/javascript; charset=utf-8");
        Asset style = Asset.load("panel/admin.css", "text/css; charset=utf-8");
        this.routes = Map.of(
                PANEL, new Route("GET", false, query -> page),
                PANEL_ALIAS, new Route("GET", false, query -> page),
                PANEL_SCRIPT, new Route("GET", false, query -> script),
                PANEL_STYLE, new Route("GET", false, query -> style),
                HEALTH, new Route("GET", false, query -> admin.health()),
                BACKFILL, new Route("POST", true, query -> await(admin.backfill())),
                VERIFY, new Route("POST", true,
                        query -> await(admin.verify(repair(query), sample(query)))),
                MODE, new Route("POST", true, query -> await(admin.mode(mode(query)))),
                METRICS, new Route("GET", metricsRequireKey, query -> admin.metrics()));
    }

    /** Binds and starts serving; port 0 picks a free port. Returns the bound address. */
    public synchronized InetSocketAddress start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 0);
        executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE), daemonThreads());
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
        server = http;
        InetSocketAddress bound = http.getAddress();
        log.info("[Admin] listening on {}", new HostPort(bound.getHostString(), bound.getPort()));
        return bound;
    }

    /** Stops at once: closes the socket and interrupts any handler still waiting. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    private void handle(HttpExchange exchange) {
        try {
            respond(exchange);
        } catch (IOException e) {
            log.debug("[Admin] could not answer {} {}: {}", exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(), e.toString());
        } finally {
            exchange.close();
        }
    }

    private void respond(HttpExchange exchange) throws IOException {
        try {
            Object result = route(exchange);
            if (result instanceof Asset asset) {
                sendAsset(exchange, asset);
            } else if (result instanceof String text) {
                sendText(exchange, text);
            } else {
                send(exchange, 200, result);
            }
        } catch (Refusal refusal) {
            send(exchange, refusal.status, error(refusal.getMessage()));
        } catch (Exception e) {
            String message = secrets.redact(oneLine(e));
            log.warn("[Admin] {} {} failed: {}", exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(), message, e);
            if (exchange.getResponseCode() == -1) {
                send(exchange, 500, error(message));
            }
        }
    }

    private Object route(HttpExchange exchange) throws Exception {
        String path = exchange.getRequestURI().getPath();
        Route route = routes.get(path);
        if (route == null) {
            throw new Refusal(404, "no such admin path: " + path);
        }
        if (!route.method.equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", route.method);
            throw new Refusal(405, "method " + exchange.getRequestMethod() + " is not allowed on " + path
                    + "; use " + route.method);
        }
        byte[] body = readBody(exchange);
        if (route.needsKey) {
            checkKey(givenKey(exchange));
        }
        Map<String, String> parameters = new HashMap<>(bodyParameters(body));
        parameters.putAll(query(exchange.getRequestURI().getRawQuery()));
        return route.action.run(parameters);
    }

    /** The key from {@code x-admin-key}, or from {@code Authorization: Bearer} (what Prometheus's scrape config can send). */
    private static String givenKey(HttpExchange exchange) {
        String key = exchange.getRequestHeaders().getFirst("x-admin-key");
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (key == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = authorization.substring(7).trim();
        }
        return key;
    }

    private void checkKey(String given) throws Refusal {
        if (keyDigest == null) {
            throw new Refusal(403, "admin operations are disabled: no admin key is configured (--admin-key)");
        }
        if (given == null || !MessageDigest.isEqual(keyDigest, Secrets.digest(given))) {
            throw new Refusal(401, "invalid or missing x-admin-key");
        }
    }

    private Map<String, Object> await(CompletionStage<Map<String, Object>> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Refusal(504, "the operation did not finish within " + timeout.toSeconds()
                    + " s; it may still be running");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(503, "the admin endpoint is shutting down");
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static Exception unwrap(Throwable cause) {
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof Exception e) {
            return e;
        }
        return new IllegalStateException(cause.toString(), cause);
    }

    private static String mode(Map<String, String> query) throws Refusal {
        String value = query.getOrDefault("mode", "").toLowerCase(Locale.ROOT);
        if (!value.equals("fallback") && !value.equals("auto")) {
            throw new Refusal(400, "parameter mode must be fallback or auto");
        }
        return value;
    }

    /** Prometheus's text exposition format. */
    private static void sendText(HttpExchange exchange, String text) throws IOException {
        write(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean repair(Map<String, String> query) {
        String value = query.getOrDefault("repair", "false").toLowerCase(Locale.ROOT);
        return value.equals("true") || value.equals("1") || value.equals("yes");
    }

    private static int sample(Map<String, String> query) throws Refusal {
        String value = query.get("sample");
        if (value == null) {
            return DEFAULT_SAMPLE;
        }
        try {
            int sample = Integer.parseInt(value);
            if (sample >= 0 && sample <= MAX_SAMPLE) {
                return sample;
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal below
        }
        throw new Refusal(400, "parameter sample must be an integer from 0 to " + MAX_SAMPLE);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(decode(name), decode(value));
        }
        return params;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text; // a malformed %-escape: kept as sent, so the parameter check names it
        }
    }

    /**
     * The parameters a JSON object body gives, as {@code {"mode":"fallback"}} (the scalars of its top
     * level); none for an empty body. The query string's win over them.
     */
    static Map<String, String> bodyParameters(byte[] body) throws Refusal {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return Map.of();
        }
        Object parsed;
        try {
            parsed = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(
                    new org.yaml.snakeyaml.LoaderOptions())).load(text);
        } catch (RuntimeException e) {
            parsed = null;
        }
        if (!text.startsWith("{") || !(parsed instanceof Map<?, ?> map)) {
            throw new Refusal(400, "the request body must be a JSON object, e.g. {\"mode\":\"fallback\"}");
        }
        Map<String, String> parameters = new HashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey() instanceof String key && (e.getValue() instanceof String || e.getValue() instanceof Number
                    || e.getValue() instanceof Boolean)) {
                parameters.put(key, String.valueOf(e.getValue()));
            }
        }
        return parameters;
    }

    /**
     * Reads the body to its end so the connection can be reused, keeping at most MAX_BODY of it. A
     * body over MAX_BODY is refused; one declared up to {@link #DRAIN_LIMIT} is still read first, so
     * the client, still sending, sees the 413 instead of a reset connection.
     */
    private static byte[] readBody(HttpExchange exchange) throws IOException, Refusal {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        long length = declared == null || declared.isEmpty() ? -1 : parseLength(declared);
        if (length > DRAIN_LIMIT) {
            throw new Refusal(413, "request body is larger than " + MAX_BODY + " bytes");
        }
        InputStream in = exchange.getRequestBody();
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            if (total + n <= MAX_BODY) {
                kept.write(buffer, 0, n);
            }
            total += n;
            if (total > (length > MAX_BODY ? DRAIN_LIMIT : MAX_BODY)) {
                break;
            }
        }
        if (total > MAX_BODY) {
            throw new Refusal(413, "request body is larger than " + MAX_BODY + " bytes");
        }
        return kept.toByteArray();
    }

    private static long parseLength(String declared) {
        try {
            return Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return 0; // HttpServer itself rejects a malformed length before we are called
        }
    }

    private void send(HttpExchange exchange, int status, Object body) throws IOException {
        write(exchange, status, "application/json",
                Json.write(secrets.redactStrings(body)).getBytes(StandardCharsets.UTF_8));
    }

    /** One of the admin panel's files. */
    private static void sendAsset(HttpExchange exchange, Asset asset) throws IOException {
        write(exchange, 200, asset.contentType(), asset.bytes());
    }

    /** Every answer: its type, the security headers, the body, closed. */
    private static void write(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        secure(exchange);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The headers every answer carries: not cached, not framed, not sniffed, no referrer, this origin only. */
    private static void secure(HttpExchange exchange) {
        var headers = exchange.getResponseHeaders();
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    }

    private static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replace("\r\n", " ").replace('\r', ' ').replace('\n', ' ');
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "kvfallback-admin-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One admin operation: the query parameters in, the JSON map to answer out. */
    @FunctionalInterface
    /** A route's work: a JSON object (a Map) or, for the Prometheus scrape, text. */
    private interface Action {
        Object run(Map<String, String> query) throws Exception;
    }

    private record Route(String method, boolean needsKey, Action action) {
    }

    /** A static file of the admin panel, read from the jar once. */
    private record Asset(String contentType, byte[] bytes) {
        static Asset load(String resource, String contentType) {
            try (InputStream in = AdminServer.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the admin panel's " + resource + " is missing from the jar");
                }
                return new Asset(contentType, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the admin panel's " + resource, e);
            }
        }
    }

    /** A request refused with an HTTP status and a message for the {"error": ...} body. */
    private static final class Refusal extends Exception {
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
