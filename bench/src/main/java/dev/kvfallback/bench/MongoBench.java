/*
 * The plain-driver side of `scripts/bench --fallback`, and the store both sides of it share.
 *
 *   serve DIR   starts an EmbeddedMongo in DIR, prints its connection string as one stdout line and
 *               serves until stdin reaches end of file or the process is terminated, then closes
 *               the store cleanly (a shutdown hook, so SIGTERM closes it too).
 *   run URI --op get|set|incr|hset|lpush --requests N --clients C --keyspace K --size D [--warmup W]
 *               runs W untimed operations (default 20000) so a fresh JVM is not measured cold
 *               (measured for get, 50 clients on 2 cores: ~8k ops/s after 1000, ~12k after 20000),
 *               then N timed ones as C chains that each issue their next operation when the last
 *               completes (redis-benchmark's -c), and prints ops_per_sec=<n>. Both parts start from
 *               an empty collection kvfallback.bench_plain, for get one with every key set, as the
 *               script prepares the proxy side.
 *
 * Each operation is the one MongoDB round trip a hand-written client would use for the Redis command,
 * with no version guard and no read before the write: the baseline the proxy's engine is measured
 * against. Keys and hash fields are numbered like redis-benchmark's __rand_int__ (12 digits, zero
 * padded) and values are D bytes of 'x', so both sides send the same keys and values. A failed
 * operation, or a get that finds no document, fails the run (exit 1, no ops_per_sec line), so a run
 * that errors cannot look fast.
 */
package dev.kvfallback.bench;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.PushOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.result.UpdateResult;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.kvfallback.mongo.EmbeddedMongo;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.conversions.Bson;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/** The plain MongoDB driver baseline for the fallback benchmark; see the file's opening comment. */
public final class MongoBench {

    private static final String USAGE = """
            usage: MongoBench serve DIR
                   MongoBench run URI --op get|set|incr|hset|lpush --requests N --clients C \
            --keyspace K --size D [--warmup W]
            """;

    private static final long DEFAULT_WARMUP = 20_000;
    private static final List<String> OPS = List.of("get", "set", "incr", "hset", "lpush");
    private static final Bson EVERYTHING = new BsonDocument();
    private static final ReplaceOptions REPLACE_UPSERT = new ReplaceOptions().upsert(true);
    private static final UpdateOptions UPDATE_UPSERT = new UpdateOptions().upsert(true);
    private static final FindOneAndUpdateOptions INC_UPSERT =
            new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER);

    /** What {@code run} was asked to do. */
    private record Run(String uri, String op, long requests, int clients, int keyspace, int size, long warmup) {
    }

    private final MongoCollection<BsonDocument> collection;
    private final int keyspace;
    private final BsonBinary value;

    private MongoBench(MongoCollection<BsonDocument> collection, int keyspace, int size) {
        this.collection = collection;
        this.keyspace = keyspace;
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        this.value = new BsonBinary(bytes);
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("serve")) {
            serve(Path.of(args[1]));
            return;
        }
        Run run = args.length >= 2 && args[0].equals("run") ? parse(args) : null;
        if (run == null) {
            System.err.print(USAGE);
            System.exit(2);
        }
        System.exit(run(run));
    }

    private static void serve(Path dir) throws IOException {
        EmbeddedMongo store = EmbeddedMongo.start(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(store::close, "close-store"));
        System.out.println(store.connectionString());
        System.out.flush();
        // stdin is the parent's pipe: if the parent dies, the store still closes cleanly.
        while (System.in.read() != -1) {
            // discard
        }
        System.exit(0);
    }

    /** {@code run URI --flag value ...}, or null if anything is missing or malformed. */
    private static Run parse(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 2; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        String op = flags.get("--op");
        if (args.length % 2 != 0 || !OPS.contains(op)) {
            return null;
        }
        try {
            long requests = Long.parseLong(flags.get("--requests"));
            long warmup = Long.parseLong(flags.getOrDefault("--warmup", String.valueOf(DEFAULT_WARMUP)));
            return new Run(args[1], op, requests, Integer.parseInt(flags.get("--clients")),
                    Integer.parseInt(flags.get("--keyspace")), Integer.parseInt(flags.get("--size")), warmup);
        } catch (NumberFormatException e) { // also a missing flag: parseLong(null)
            return null;
        }
    }

    private static int run(Run run) {
        try (MongoClient client = MongoClients.create(run.uri())) {
            MongoCollection<BsonDocument> c =
                    client.getDatabase("kvfallback").getCollection("bench_plain", BsonDocument.class);
            MongoBench bench = new MongoBench(c, run.keyspace(), run.size());
            LongFunction<Mono<Boolean>> operation = bench.operation(run.op());
            Supplier<Mono<Boolean>> random = () -> operation.apply(bench.random());
            bench.reset(run);
            drive(run.warmup(), run.clients(), random);
            bench.reset(run); // the timed part starts from where the proxy side's does
            long start = System.nanoTime();
            long failed = drive(run.requests(), run.clients(), random);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (failed > 0) {
                System.err.printf("MongoBench: %d of %d %s operations failed%n", failed, run.requests(), run.op());
                return 1;
            }
            System.out.printf("ops_per_sec=%.0f%n", run.requests() / seconds);
            return 0;
        }
    }

    /** Empties the collection; for get, then sets every key, as the script does through the proxy. */
    private void reset(Run run) {
        Mono.from(collection.deleteMany(EVERYTHING)).block();
        if (run.op().equals("get")) {
            AtomicLong next = new AtomicLong();
            drive(run.keyspace(), run.clients(), () -> set(next.getAndIncrement()));
        }
    }

    /** The operation named {@code op} on key number {@code n}; completes true if it did what it should. */
    private LongFunction<Mono<Boolean>> operation(String op) {
        return switch (op) {
            case "get" -> this::get;
            case "set" -> this::set;
            case "incr" -> this::incr;
            case "hset" -> this::hset;
            case "lpush" -> this::lpush;
            default -> throw new IllegalArgumentException(op);
        };
    }

    /** A key or field number, uniform in the keyspace, like redis-benchmark's {@code -r}. */
    private long random() {
        return ThreadLocalRandom.current().nextInt(keyspace);
    }

    /** GET key:N: find by _id; a missing document is a failure, as every key was set first. */
    private Mono<Boolean> get(long n) {
        return Mono.from(collection.find(byId("key:", n)).first()).map(doc -> true).defaultIfEmpty(false);
    }

    /** SET key:N: replace the whole document, inserting it if absent. */
    private Mono<Boolean> set(long n) {
        BsonString id = id("key:", n);
        BsonDocument doc = new BsonDocument("_id", id).append("value", value);
        return Mono.from(collection.replaceOne(Filters.eq("_id", id), doc, REPLACE_UPSERT)).map(r -> true);
    }

    /** INCR counter:N: $inc, returning the new count. */
    private Mono<Boolean> incr(long n) {
        return Mono.from(collection.findOneAndUpdate(byId("counter:", n), Updates.inc("n", 1), INC_UPSERT))
                .map(doc -> doc.getNumber("n").longValue() > 0).defaultIfEmpty(false);
    }

    /** HSET hash:N fM value: $set one field, named like the proxy side's field (f__rand_int__). */
    private Mono<Boolean> hset(long n) {
        String field = name("f", random());
        return Mono.from(collection.updateOne(byId("hash:", n), Updates.set(field, value), UPDATE_UPSERT))
                .map(MongoBench::applied);
    }

    /** LPUSH list:N value: $push at position 0. */
    private Mono<Boolean> lpush(long n) {
        Bson push = Updates.pushEach("v", List.of(value), new PushOptions().position(0));
        return Mono.from(collection.updateOne(byId("list:", n), push, UPDATE_UPSERT)).map(MongoBench::applied);
    }

    private static boolean applied(UpdateResult r) {
        return r.getMatchedCount() == 1 || r.getUpsertedId() != null;
    }

    private static Bson byId(String prefix, long n) {
        return Filters.eq("_id", id(prefix, n));
    }

    private static BsonString id(String prefix, long n) {
        return new BsonString(name(prefix, n));
    }

    /** {@code prefix} and {@code n} as redis-benchmark writes {@code __rand_int__}: 12 digits, zero padded. */
    private static String name(String prefix, long n) {
        return prefix + String.format("%012d", n);
    }

    /**
     * Runs {@code count} operations as {@code clients} chains, each subscribing to its next operation
     * when the last completes, so at most {@code clients} are in flight. Returns how many failed; the
     * first error is printed.
     */
    private static long drive(long count, int clients, Supplier<Mono<Boolean>> operation) {
        AtomicLong left = new AtomicLong(count);
        AtomicLong failed = new AtomicLong();
        AtomicBoolean reported = new AtomicBoolean();
        Mono<Boolean> claimOne = Mono.defer(() -> left.getAndDecrement() > 0 ? operation.get() : Mono.<Boolean>empty())
                .onErrorResume(e -> {
                    if (reported.compareAndSet(false, true)) {
                        System.err.println("MongoBench: first error: " + e);
                    }
                    return Mono.just(false);
                })
                .doOnNext(ok -> {
                    if (!ok) {
                        failed.incrementAndGet();
                    }
                });
        Flux.range(0, clients).flatMap(chain -> claimOne.repeat(() -> left.get() > 0), clients).blockLast();
        return failed.get();
    }
}
