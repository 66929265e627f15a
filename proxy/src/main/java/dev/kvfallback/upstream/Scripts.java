package dev.kvfallback.upstream;

import dev.kvfallback.command.CommandPolicy;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scripts (EVAL, EVALSHA, FCALL and their read-only forms) this proxy's clients have running
 * in Redis, and what that excuses.
 *
 * <p>Why: while a script runs, Redis answers no one else (for {@code busy-reply-threshold}, 5 s by
 * default), then answers {@code -BUSY} until it ends or {@code SCRIPT KILL} stops it. When the
 * script is one of this proxy's clients', that is Redis working as asked, not Redis failing: the
 * BUSY replies go to their clients as they are (as Redis would send them), and the latency budget
 * is held. Bounded: the budget is held for the busy threshold plus the budget after the first
 * script started, and after that only while Redis keeps showing it is alive by answering BUSY (to
 * a probe if nothing else asks, {@link #probeNow}), so a Redis that stalls for real while a script
 * runs is still noticed. Shared by every event loop.
 */
public final class Scripts {

    /** Redis's default {@code busy-reply-threshold}: how long a script may hold Redis before others get BUSY. */
    private static final long BUSY_THRESHOLD_NANOS = 5_000_000_000L;
    /** How long after the last script ended a BUSY is still taken as its (replies cross on several connections). */
    private static final long BUSY_AFTERGLOW_NANOS = 1_000_000_000L;

    private final long budgetNanos;
    private final AtomicInteger running = new AtomicInteger();
    /** When the running count last left 0, in {@link System#nanoTime} terms. */
    private volatile long since;
    private volatile long lastEnded = System.nanoTime() - BUSY_AFTERGLOW_NANOS;
    private volatile long lastBusy = System.nanoTime() - BUSY_THRESHOLD_NANOS;
    /** When Redis was last asked whether it is alive while a script holds it. */
    private final AtomicLong lastProbe = new AtomicLong(System.nanoTime());

    /** @param budgetNanos the latency budget of a command on Redis (the command timeout) */
    public Scripts(long budgetNanos) {
        this.budgetNanos = budgetNanos;
    }

    /** Whether {@code request} runs a script in Redis. */
    static boolean isScript(RespRequest request) {
        return CommandPolicy.of(request.name()) == CommandPolicy.Kind.SCRIPT;
    }

    /** A script was sent; {@link #ended} must follow once, when it is answered or fails. */
    void started() {
        if (running.getAndIncrement() == 0) {
            since = System.nanoTime();
        }
    }

    void ended() {
        lastEnded = System.nanoTime();
        running.decrementAndGet();
    }

    /** Notes a reply: a {@code BUSY} shows Redis alive while a script holds it. */
    void replied(Object reply) {
        if (reply instanceof RespValue.Error e && e.bytes().length > 5 && e.bytes()[0] == 'B'
                && new String(e.bytes(), 0, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("BUSY ")) {
            lastBusy = System.nanoTime();
        }
    }

    /** Whether command timeouts are held at {@code now}: a script of ours runs and Redis is not known to have stalled. */
    boolean holdTimeouts(long now) {
        return running.get() > 0
                && (now - since < BUSY_THRESHOLD_NANOS + budgetNanos || now - lastBusy < budgetNanos);
    }

    /**
     * Whether Redis should be asked now ({@code PING} on a control connection) whether it is alive:
     * while a script of ours has held it for half the budget, every half budget, by one event loop.
     * A Redis past its busy threshold answers BUSY at once, which keeps {@link #holdTimeouts} true.
     */
    boolean probeNow(long now) {
        long last = lastProbe.get();
        return running.get() > 0 && now - since > budgetNanos / 2 && now - last > budgetNanos / 2
                && lastProbe.compareAndSet(last, now);
    }

    /**
     * Whether a {@code BUSY} reply is this proxy's own doing: a script of its clients runs, or ended
     * a moment ago. Then the reply goes to its client unchanged and the mode stays.
     */
    public boolean excuseBusy() {
        return running.get() > 0 || System.nanoTime() - lastEnded < BUSY_AFTERGLOW_NANOS;
    }
}
