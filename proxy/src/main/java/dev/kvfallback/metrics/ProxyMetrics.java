package dev.kvfallback.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The proxy's meters, in one Prometheus registry: names are constants here, tags are few and
 * bounded (a command name from the command table, a route, an outcome, an error class; never a
 * key). The server records through {@link CommandMeter}s looked up once per command name.
 */
public final class ProxyMetrics implements AutoCloseable {

    public static final String COMMANDS = "kvfallback.commands";
    public static final String COMMAND_LATENCY = "kvfallback.command";
    public static final String MODE = "kvfallback.mode";
    public static final String MODE_CHANGES = "kvfallback.mode.changes";
    public static final String UPSTREAM_ERRORS = "kvfallback.upstream.errors";
    public static final String BACKEND_UP = "kvfallback.backend.up";
    public static final String CLIENT_CONNECTIONS = "kvfallback.client.connections";
    public static final String CLIENTS_REJECTED = "kvfallback.clients.rejected";
    public static final String CLIENTS_CLOSED = "kvfallback.clients.closed";
    public static final String AUTH_FAILURES = "kvfallback.auth.failures";
    public static final String CLIENTS_REQUEST_BYTES = "kvfallback.clients.request.bytes";
    public static final String DIVERGENT_KEYS = "kvfallback.divergent.keys";
    public static final String REPLAY_DONE = "kvfallback.replay.keys.done";
    public static final String REPLAY_LEFT = "kvfallback.replay.keys.left";
    public static final String FAILOVER_RERUN = "kvfallback.failover.rerun";

    /** Where a command was answered. */
    public enum Route {
        UPSTREAM, FALLBACK, LOCAL;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, CommandMeter[]> commands = new ConcurrentHashMap<>();
    private final Timer[] latency = new Timer[Route.values().length];
    private final Map<String, Counter> upstreamErrors = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Timer rerun;

    public ProxyMetrics() {
        for (Route route : Route.values()) {
            latency[route.ordinal()] = Timer.builder(COMMAND_LATENCY)
                    .description("Time from a command's dispatch to its reply, by where it was answered")
                    .tag("route", route.tag)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(50_000))
                    .maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
        }
        rerun = Timer.builder(FAILOVER_RERUN)
                .description("For a command Redis failed and MongoDB then answered: from Redis's failing reply "
                        + "(or timeout) to MongoDB's reply, the switch included")
                .publishPercentileHistogram()
                .publishPercentiles(0.5, 0.99)
                .percentilePrecision(3)
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** The meter of a command (a name from the command table, or "unknown") on a route. */
    public CommandMeter command(String name, Route route) {
        CommandMeter[] meters = commands.computeIfAbsent(name, n -> new CommandMeter[Route.values().length]);
        CommandMeter meter = meters[route.ordinal()];
        if (meter == null) {
            meter = new CommandMeter(
                    counter(name, route, "ok"), counter(name, route, "error"), latency[route.ordinal()]);
            meters[route.ordinal()] = meter;
        }
        return meter;
    }

    private Counter counter(String name, Route route, String outcome) {
        return Counter.builder(COMMANDS).description("Commands answered, by command, route and outcome")
                .tag("command", name).tag("route", route.tag).tag("outcome", outcome).register(registry);
    }

    /**
     * Commands answered so far on each route (every command and outcome summed), keyed by the
     * route's tag, in {@link Route} order: cumulative, so a reader differences two readings for a rate.
     */
    public Map<String, Long> commandsByRoute() {
        long[] totals = new long[Route.values().length];
        for (CommandMeter[] meters : commands.values()) {
            for (Route route : Route.values()) {
                CommandMeter meter = meters[route.ordinal()];
                if (meter != null) {
                    totals[route.ordinal()] += meter.count();
                }
            }
        }
        Map<String, Long> byRoute = new java.util.LinkedHashMap<>();
        for (Route route : Route.values()) {
            byRoute.put(route.tag, totals[route.ordinal()]);
        }
        return byRoute;
    }

    /** A command run again on MongoDB after Redis failed it, {@code nanos} after the failure. */
    public void rerun(long nanos) {
        rerun.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The re-run times so far (for the failover benchmark). */
    public Timer reruns() {
        return rerun;
    }

    /**
     * Counts an error Redis answered (or the proxy's own "Redis unavailable"), by its class: the
     * error classifier's {@code unavailable} or {@code rate_limit}, else the error's code when it
     * is a common one, else {@code other} (so the tag's values stay few).
     */
    public void upstreamError(String errorClass) {
        upstreamErrors.computeIfAbsent(errorClass, c -> Counter.builder(UPSTREAM_ERRORS)
                .description("Error replies from Redis and failed Redis round trips, by class")
                .tag("class", c).register(registry)).increment();
    }

    /** A gauge read at each scrape; held strongly (Micrometer's default would let a lambda be collected). */
    public void gauge(String name, String description, DoubleSupplier value, String... tags) {
        Gauge.builder(name, value, DoubleSupplier::getAsDouble).description(description).tags(tags)
                .strongReference(true).register(registry);
    }

    /** A monotonic count kept elsewhere, read at each scrape. */
    public <T> void counter(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
        FunctionCounter.builder(name, source, value).description(description).tags(tags).register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** A command's counters on one route, and the route's latency histogram. */
    public static final class CommandMeter {
        private final Counter ok;
        private final Counter error;
        private final Timer latency;

        CommandMeter(Counter ok, Counter error, Timer latency) {
            this.ok = ok;
            this.error = error;
            this.latency = latency;
        }

        /** Records one answered command: error or not, and how long it took (ns; negative: not timed). */
        public void record(boolean failed, long nanos) {
            (failed ? error : ok).increment();
            if (nanos >= 0) {
                latency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        }

        /** Commands recorded, whatever their outcome. */
        long count() {
            return (long) (ok.count() + error.count());
        }
    }
}
