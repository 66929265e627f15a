package dev.kvfallback.upstream;

import io.lettuce.core.api.StatefulConnection;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One upstream connection that is connected lazily and asynchronously: work sent before it is up
 * waits in a bounded queue, and fails with a clear error if the connection cannot be made.
 *
 * <p>Confined to one event loop: every method runs on {@code loop}, and the connect callback hops
 * back onto it, so there is no locking. After a failed attempt the next use retries, at most once
 * per {@code retryMillis}; meanwhile work fails at once instead of queueing without bound.
 */
final class Connector<C extends StatefulConnection<byte[], byte[]>> {

    private static final Logger log = LoggerFactory.getLogger(Connector.class);

    /** Work waiting for the connection: run with it, or failed with the cause. */
    interface Work<C> {
        void run(C connection);

        void fail(Throwable cause);
    }

    private enum State { IDLE, CONNECTING, READY, FAILED, CLOSED }

    private final EventLoop loop;
    private final Supplier<CompletionStage<C>> connect;
    private final String what;
    private final int maxWaiting;
    private final long retryMillis;
    private final Consumer<C> onConnected;
    private final ArrayDeque<Work<C>> waiting = new ArrayDeque<>();
    private State state = State.IDLE;
    private C connection;
    private Throwable lastFailure;
    private long failedAt;

    Connector(EventLoop loop, String what, Supplier<CompletionStage<C>> connect, int maxWaiting, long retryMillis,
              Consumer<C> onConnected) {
        this.loop = loop;
        this.what = what;
        this.connect = connect;
        this.maxWaiting = maxWaiting;
        this.retryMillis = retryMillis;
        this.onConnected = onConnected;
    }

    /** Runs {@code work} with the connection now, or once it is up. */
    void submit(Work<C> work) {
        switch (state) {
            case READY -> work.run(connection);
            case CONNECTING -> enqueue(work);
            case IDLE -> {
                enqueue(work);
                start();
            }
            case FAILED -> {
                if (System.currentTimeMillis() - failedAt >= retryMillis) {
                    enqueue(work);
                    start();
                } else {
                    work.fail(lastFailure);
                }
            }
            case CLOSED -> work.fail(new IllegalStateException("connection closed"));
        }
    }

    /** Starts connecting now, ahead of the first use, if it has not started yet. */
    void open() {
        if (state == State.IDLE) {
            start();
        }
    }

    /** Takes {@code c}, a connection already made (a warm one), as this connector's own: ready at once. */
    void adopt(C c) {
        if (state != State.IDLE) {
            throw new IllegalStateException("connector already " + state);
        }
        ready(c);
    }

    /** The connection if it is up, else null. */
    C connection() {
        return state == State.READY ? connection : null;
    }

    /** Lets go of the connection without closing it (it went back to a pool); no more work runs. */
    void detach() {
        state = State.CLOSED;
        connection = null;
        failAll(new IllegalStateException("connection closed"));
    }

    void close() {
        State was = state;
        state = State.CLOSED;
        failAll(new IllegalStateException("connection closed"));
        if (was == State.READY && connection != null) {
            connection.closeAsync();
        }
    }

    private void enqueue(Work<C> work) {
        if (waiting.size() >= maxWaiting) {
            work.fail(new IllegalStateException("too many commands waiting for the " + what + " connection"));
            return;
        }
        waiting.add(work);
    }

    private void start() {
        state = State.CONNECTING;
        CompletionStage<C> attempt;
        try {
            attempt = connect.get();
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        attempt.whenComplete((c, error) -> loop.execute(() -> {
            if (state == State.CLOSED) {
                if (c != null) {
                    c.closeAsync();
                }
            } else if (error != null) {
                failed(error);
            } else {
                ready(c);
            }
        }));
    }

    private void ready(C c) {
        connection = c;
        state = State.READY;
        onConnected.accept(c);
        Work<C> work;
        while ((work = waiting.poll()) != null) {
            work.run(c);
        }
        c.flushCommands();
    }

    private void failed(Throwable error) {
        lastFailure = error;
        failedAt = System.currentTimeMillis();
        state = State.FAILED;
        log.warn("[Database] KV unavailable: {} connection failed: {}", what, UpstreamErrors.describe(error));
        failAll(error);
    }

    private void failAll(Throwable error) {
        Work<C> work;
        while ((work = waiting.poll()) != null) {
            work.fail(error);
        }
    }
}
