package dev.kvfallback.tee;

import dev.kvfallback.engine.Bytes;
import dev.kvfallback.engine.Engine;
import dev.kvfallback.engine.HashValue;
import dev.kvfallback.engine.ListValue;
import dev.kvfallback.engine.RedisValue;
import dev.kvfallback.engine.SetValue;
import dev.kvfallback.engine.StringValue;
import dev.kvfallback.engine.ZSetValue;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.upstream.RedisSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Reads one key's whole value and expiry from Redis, as a {@link Engine.Step.Put}: TYPE first,
 * then the value and PTTL together on the same connection. The reads are not one atomic step;
 * the caller tracks them as a flight ({@link Flights}) and takes the copy again if a write to the
 * key overlapped them.
 */
final class RedisCopy {

    /** What reading a key found. */
    sealed interface Result {
    }

    /** The key's value (null: it does not exist) and absolute expiry. */
    record Found(Engine.Step.Put put) implements Result {
    }

    /** A type MongoDB's copy cannot hold (a stream, a module type): left out, said once. */
    record Unsupported(String type) implements Result {
    }

    /** Redis did not answer as expected (unreachable, or the key changed type between the reads). */
    record Failed(String why) implements Result {
    }

    private final RedisSource redis;
    private final LongSupplier clock;

    RedisCopy(RedisSource redis, LongSupplier clock) {
        this.redis = redis;
        this.clock = clock;
    }

    CompletionStage<Result> read(int db, byte[] key) {
        return redis.call(db, List.of(new RespRequest(new byte[][]{bytes("TYPE"), key}, false)))
                .thenCompose(replies -> {
                    RespValue type = replies.get(0);
                    if (!(type instanceof RespValue.Simple simple)) {
                        return done(new Failed(describe(type)));
                    }
                    String name = new String(simple.bytes(), StandardCharsets.US_ASCII);
                    RespRequest read = readFor(name, key);
                    if (name.equals("none")) {
                        return done(new Found(new Engine.Step.Put(key, null, 0)));
                    }
                    if (read == null) {
                        return done(new Unsupported(name));
                    }
                    RespRequest pttl = new RespRequest(new byte[][]{bytes("PTTL"), key}, false);
                    return redis.call(db, List.of(read, pttl)).thenApply(values -> found(key, name, values));
                });
    }

    private Result found(byte[] key, String type, List<RespValue> replies) {
        RespValue value = replies.get(0);
        RespValue pttl = replies.get(1);
        if (!(pttl instanceof RespValue.Int ttl)) {
            return new Failed(describe(pttl));
        }
        if (ttl.value() == -2) {
            return new Found(new Engine.Step.Put(key, null, 0));
        }
        RedisValue parsed = parse(type, value);
        if (parsed == null) {
            return new Failed(describe(value));
        }
        long expireAt = ttl.value() < 0 ? 0 : clock.getAsLong() + ttl.value();
        return new Found(new Engine.Step.Put(key, parsed, expireAt));
    }

    private static RespRequest readFor(String type, byte[] key) {
        byte[][] args = switch (type) {
            case "string" -> new byte[][]{bytes("GET"), key};
            case "hash" -> new byte[][]{bytes("HGETALL"), key};
            case "list" -> new byte[][]{bytes("LRANGE"), key, bytes("0"), bytes("-1")};
            case "set" -> new byte[][]{bytes("SMEMBERS"), key};
            case "zset" -> new byte[][]{bytes("ZRANGE"), key, bytes("0"), bytes("-1"), bytes("WITHSCORES")};
            default -> null;
        };
        return args == null ? null : new RespRequest(args, false);
    }

    /** The RESP2 reply of the type's read as a value; null if it is not one (an error, a changed type). */
    private static RedisValue parse(String type, RespValue reply) {
        if (type.equals("string")) {
            return reply instanceof RespValue.Bulk b ? new StringValue(b.bytes()) : null;
        }
        if (!(reply instanceof RespValue.Array array)) {
            return null;
        }
        List<RespValue> items = array.items();
        switch (type) {
            case "hash" -> {
                LinkedHashMap<Bytes, byte[]> fields = new LinkedHashMap<>();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    fields.put(Bytes.wrap(bulk(items.get(i))), bulk(items.get(i + 1)));
                }
                return new HashValue(fields);
            }
            case "list" -> {
                ArrayList<byte[]> elements = new ArrayList<>(items.size());
                for (RespValue item : items) {
                    elements.add(bulk(item));
                }
                return new ListValue(elements);
            }
            case "set" -> {
                LinkedHashSet<Bytes> members = new LinkedHashSet<>();
                for (RespValue item : items) {
                    members.add(Bytes.wrap(bulk(item)));
                }
                return new SetValue(members);
            }
            default -> {
                ZSetValue zset = new ZSetValue();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    zset.put(Bytes.wrap(bulk(items.get(i))), score(bulk(items.get(i + 1))));
                }
                return zset;
            }
        }
    }

    private static double score(byte[] text) {
        String s = new String(text, StandardCharsets.US_ASCII);
        return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    private static byte[] bulk(RespValue value) {
        if (value instanceof RespValue.Bulk b) {
            return b.bytes();
        }
        throw new IllegalStateException("expected a bulk string, got " + value);
    }

    static String describe(RespValue reply) {
        return reply instanceof RespValue.Error e ? new String(e.bytes(), StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
