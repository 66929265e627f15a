package dev.kvfallback.server;

import dev.kvfallback.command.CommandFlag;
import dev.kvfallback.command.CommandSpec;
import dev.kvfallback.command.Errors;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/**
 * The proxy's connected clients, as Redis's CLIENT LIST, KILL, PAUSE and UNPAUSE see and act on
 * Redis's own: these commands describe and act on the clients of the proxy, never on its upstream
 * connections (killing those would look like Redis failing).
 *
 * <p>Threads: the registry is a concurrent map, touched when a client connects and leaves. Each
 * client's state is confined to its event loop, so a LIST asks every client for a {@link View}
 * on its own loop and answers once all have; a KILL closes each client on its loop. The pause is
 * two volatile fields that every client reads before running a command; an UNPAUSE wakes every client.
 */
final class Clients {

    /** One client as CLIENT LIST and the filters of CLIENT KILL see it, taken on its loop. */
    record View(long id, String addr, String laddr, String user, boolean pubsub, String line) {
    }

    private final ConcurrentSkipListMap<Long, ClientHandler> byId = new ConcurrentSkipListMap<>();
    /** Clients with a blocking command in flight (INFO's blocked_clients). */
    private final java.util.concurrent.atomic.AtomicInteger blocked = new java.util.concurrent.atomic.AtomicInteger();
    /** A CLIENT PAUSE: when it ends, in {@link System#currentTimeMillis} terms, and whether it holds every command. */
    private record Pause(long until, boolean all) {
        static final Pause NONE = new Pause(0, false);
    }

    /** The pause in force, replaced whole so a reader never mixes two pauses' fields. */
    private volatile Pause pause = Pause.NONE;

    void add(long id, ClientHandler client) {
        byId.put(id, client);
    }

    void remove(long id) {
        byId.remove(id);
    }

    void blockedChanged(boolean nowBlocked) {
        blocked.addAndGet(nowBlocked ? 1 : -1);
    }

    int blockedCount() {
        return blocked.get();
    }

    ClientHandler get(long id) {
        return byId.get(id);
    }

    /** Every client's view, in id order (as Redis lists them), once each has answered on its loop. */
    CompletionStage<List<View>> views() {
        List<CompletableFuture<View>> views = new ArrayList<>();
        for (ClientHandler client : byId.values()) {
            views.add(client.view());
        }
        return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<View> all = new ArrayList<>(views.size());
            for (CompletableFuture<View> view : views) {
                View v = view.join();
                if (v != null) {
                    all.add(v);
                }
            }
            return all;
        });
    }

    /** {@code CLIENT LIST [TYPE type] [ID id ...]}: a filter on views, or the error Redis gives. */
    static Object listFilter(RespRequest request) {
        if (request.size() == 2) {
            return (Predicate<View>) v -> true;
        }
        String option = lower(request.arg(2));
        if (option.equals("type") && request.size() == 4) {
            Predicate<View> type = typeFilter(request.arg(3));
            return type == null ? Errors.unknownClientType(request.arg(3)) : type;
        }
        if (option.equals("id") && request.size() >= 4) {
            Set<Long> ids = new HashSet<>();
            for (int i = 3; i < request.size(); i++) {
                Long id = parseLong(request.arg(i));
                if (id == null) {
                    return Errors.INVALID_CLIENT_ID;
                }
                ids.add(id);
            }
            return (Predicate<View>) v -> ids.contains(v.id());
        }
        return Errors.SYNTAX;
    }

    /**
     * The clients {@code CLIENT KILL} names, as a filter, or Redis's error: by one address (the old
     * form), or by filters; {@code self} is the caller, spared unless {@code SKIPME no}.
     */
    static Object killFilter(RespRequest request, long self, Predicate<String> userExists) {
        if (request.size() == 3) {
            String addr = new String(request.arg(2), StandardCharsets.UTF_8);
            return (Predicate<View>) v -> v.addr().equals(addr);
        }
        if (request.size() % 2 != 0) {
            return Errors.SYNTAX;
        }
        Predicate<View> filter = v -> true;
        boolean skipMe = true;
        for (int i = 2; i < request.size(); i += 2) {
            String option = lower(request.arg(i));
            byte[] value = request.arg(i + 1);
            String text = new String(value, StandardCharsets.UTF_8);
            switch (option) {
                case "id" -> {
                    Long id = parseLong(value);
                    if (id == null || id <= 0) {
                        return Errors.CLIENT_ID_NOT_POSITIVE;
                    }
                    filter = filter.and(v -> v.id() == id);
                }
                case "type" -> {
                    Predicate<View> type = typeFilter(value);
                    if (type == null) {
                        return Errors.unknownClientType(value);
                    }
                    filter = filter.and(type);
                }
                case "addr" -> filter = filter.and(v -> v.addr().equals(text));
                case "laddr" -> filter = filter.and(v -> v.laddr().equals(text));
                case "user" -> {
                    if (!userExists.test(text)) {
                        return Errors.noSuchUser(text);
                    }
                    filter = filter.and(v -> v.user().equals(text));
                }
                case "skipme" -> {
                    String yesNo = text.toLowerCase(Locale.ROOT);
                    if (!yesNo.equals("yes") && !yesNo.equals("no")) {
                        return Errors.SYNTAX;
                    }
                    skipMe = yesNo.equals("yes");
                }
                default -> {
                    return Errors.SYNTAX;
                }
            }
        }
        return skipMe ? filter.and(v -> v.id() != self) : filter;
    }

    /** Clients of a type: {@code normal} or {@code pubsub}; the proxy has no master or replica clients. */
    private static Predicate<View> typeFilter(byte[] type) {
        return switch (lower(type)) {
            case "normal" -> v -> !v.pubsub();
            case "pubsub" -> View::pubsub;
            case "master", "replica", "slave" -> v -> false;
            default -> null;
        };
    }

    /** Closes each of {@code clients} on its loop (after the caller's reply, for the caller itself). */
    void kill(List<View> clients, long self) {
        for (View v : clients) {
            ClientHandler client = byId.get(v.id());
            if (client != null && v.id() != self) {
                client.kill();
            }
        }
    }

    /** {@code CLIENT PAUSE timeout [WRITE|ALL]}: null when set, else Redis's error. */
    RespValue.Error pause(RespRequest request) {
        Long millis = parseLong(request.arg(2));
        if (millis == null) {
            return Errors.TIMEOUT_NOT_INTEGER;
        }
        if (millis < 0) {
            return Errors.TIMEOUT_NEGATIVE;
        }
        boolean all = true;
        if (request.size() == 4) {
            String mode = lower(request.arg(3));
            if (!mode.equals("write") && !mode.equals("all")) {
                return Errors.PAUSE_MODE;
            }
            all = mode.equals("all");
        } else if (request.size() > 4) {
            return Errors.subcommandArguments("CLIENT", request.arg(1));
        }
        long until = System.currentTimeMillis() + millis;
        synchronized (this) {
            // As Redis: a pause already longer, or stricter, than the new one is kept.
            Pause now = pause;
            if (until > now.until() || all && !now.all()) {
                pause = new Pause(Math.max(until, now.until()), all || now.all() && now.until() > until);
            }
        }
        return null;
    }

    /** {@code CLIENT UNPAUSE}: ends the pause and wakes every client. */
    void unpause() {
        pause = Pause.NONE;
        for (ClientHandler client : byId.values()) {
            client.unpaused();
        }
    }

    /** Whether a CLIENT PAUSE was set and not lifted (it may have ended): one volatile read. */
    boolean paused() {
        return pause.until() != 0;
    }

    /**
     * How long {@code spec} must wait before it runs, in ms (0: it may run now): every command while
     * paused ALL, writes and commands that may replicate (EVAL, PUBLISH, EXEC...) while paused WRITE.
     */
    long pausedFor(CommandSpec spec) {
        Pause now = pause;
        if (now.until() == 0) {
            return 0;
        }
        long left = now.until() - System.currentTimeMillis();
        if (left <= 0) {
            return 0;
        }
        boolean held = now.all() || spec == null || spec.has(CommandFlag.WRITE) || spec.has(CommandFlag.MAY_REPLICATE)
                || spec.name().equals("exec");
        return held ? left : 0;
    }

    /** {@code bytes} as a signed decimal integer, or null. */
    static Long parseLong(byte[] bytes) {
        try {
            return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String lower(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    }
}
