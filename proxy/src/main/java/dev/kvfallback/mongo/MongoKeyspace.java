package dev.kvfallback.mongo;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.kvfallback.engine.Bytes;
import dev.kvfallback.engine.CommandError;
import dev.kvfallback.engine.EngineErrors;
import dev.kvfallback.engine.Keyspace;
import dev.kvfallback.engine.Stored;
import dev.kvfallback.engine.Write;
import org.bson.BsonBinary;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonMaximumSizeExceededException;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A {@link Keyspace} in MongoDB: one document per key (laid out by {@link KeyDocument}) in a
 * collection {@code kv_<db>} per logical database.
 *
 * <p>Every write is a single-document operation guarded by the version it was read at: an insert
 * for a new key (a duplicate {@code _id} is a conflict), a replace or delete matching
 * {@code {_id, version}} otherwise (no match is a conflict). So no transactions are needed, and
 * nothing here relies on features the embedded mongo-java-server lacks (transactions,
 * pipeline updates, enforced TTL or partial indexes).
 *
 * <p>Exclusive use: when this process is the only writer of the database (the embedded store,
 * or a MongoDB given to one proxy), every write already runs under the engine's per-key order,
 * so a replace or delete matches {@code _id} alone (a document gone meanwhile, swept when it
 * expired, is still a conflict). That spares mongo-java-server, whose planner only uses an index
 * whose keys are exactly a filter's, a compound {@code {_id, version}} index it must maintain on
 * every write (measured: a quarter of its write rate). Shared use keeps the full guard.
 *
 * <p>Threads: all work runs on the reactive driver; stages complete on the driver's threads and
 * nothing here ever blocks. A collection's indexes are created once, on its first use.
 */
public final class MongoKeyspace implements Keyspace {

    private static final Logger log = LoggerFactory.getLogger(MongoKeyspace.class);

    /** Collections this keyspace owns: {@code kv_0}, {@code kv_1}, … */
    static final Pattern COLLECTION_NAME = Pattern.compile("kv_\\d+");

    /** MongoDB's document size limit, named in the error a client sees when a value outgrows it. */
    static final long DOCUMENT_LIMIT = 16L * 1024 * 1024;

    /** Server error codes for a document over the size limit (BSONObjectTooLarge and kin). */
    private static final List<Integer> TOO_LARGE_CODES = List.of(10334, 17419, 17420, 13548);

    /** The smallest string and the smallest Binary: the two ends of a scan's two phases. */
    private static final BsonString FIRST_STRING = new BsonString("");
    private static final BsonBinary FIRST_BINARY = new BsonBinary(new byte[0]);

    private final MongoDatabase database;
    private final boolean exclusive;
    private final Map<Integer, CompletableFuture<MongoCollection<BsonDocument>>> collections =
            new ConcurrentHashMap<>();

    /** @param exclusive whether this process is the database's only writer (see the class comment) */
    public MongoKeyspace(MongoDatabase database, boolean exclusive) {
        this.database = database;
        this.exclusive = exclusive;
    }

    /** Whether this process is the database's only writer. */
    public boolean exclusive() {
        return exclusive;
    }

    @Override
    public CompletionStage<List<Stored>> load(int db, List<byte[]> keys) {
        List<BsonValue> ids = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            ids.add(KeyDocument.id(key));
        }
        return collection(db)
                .thenCompose(c -> Flux.from(c.find(Filters.in(KeyDocument.ID, ids))).collectList().toFuture())
                .thenApply(docs -> {
                    Map<Bytes, Stored> found = new HashMap<>();
                    for (BsonDocument doc : docs) {
                        Stored stored = KeyDocument.stored(doc);
                        found.put(Bytes.wrap(stored.key()), stored);
                    }
                    List<Stored> result = new ArrayList<>(keys.size());
                    for (byte[] key : keys) {
                        Stored stored = found.get(Bytes.wrap(key));
                        result.add(stored == null ? Stored.absent(key) : stored);
                    }
                    return result;
                });
    }

    /**
     * Applies the writes: one at a time, or, for several (the tee's groups, multi-key commands),
     * as one unordered bulk write, so a group of a thousand keys is a few round trips. Either way
     * each write is guarded on its own; the engine hands over at most one write per key.
     */
    @Override
    public CompletionStage<Boolean> write(int db, List<Write> writes) {
        if (writes.size() > 1 && writes.stream().noneMatch(MongoKeyspace::mustStayAbsent)) {
            return collection(db).thenCompose(c -> bulk(c, writes));
        }
        return collection(db).thenCompose(c -> {
            List<CompletableFuture<Boolean>> each = new ArrayList<>(writes.size());
            for (Write w : writes) {
                each.add(apply(c, w).exceptionallyCompose(MongoKeyspace::explain));
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> each.stream().allMatch(CompletableFuture::join));
        });
    }

    /** A delete of a key that must not exist: a check, not a write, so it cannot join a bulk write. */
    private static boolean mustStayAbsent(Write w) {
        return w.value() == null && !w.divergent() && w.expectedVersion() == 0;
    }

    /**
     * The writes as one unordered bulk write: all applied if every insert, replace and delete
     * found what its guard expects; a duplicate key (an insert that met a document) or a guard
     * that matched nothing is a conflict.
     */
    private CompletableFuture<Boolean> bulk(MongoCollection<BsonDocument> c, List<Write> writes) {
        List<WriteModel<BsonDocument>> models = new ArrayList<>(writes.size());
        int inserts = 0;
        int replaces = 0;
        int deletes = 0;
        for (Write w : writes) {
            BsonValue id = KeyDocument.id(w.key());
            long expected = w.expectedVersion();
            if (w.value() == null && !w.divergent()) {
                models.add(new DeleteOneModel<>(guard(id, expected)));
                deletes++;
                continue;
            }
            BsonDocument doc = KeyDocument.of(w.key(), w.value(), w.expireAt(), expected + 1, w.divergent());
            if (expected == 0) {
                models.add(new InsertOneModel<>(doc));
                inserts++;
            } else {
                models.add(new ReplaceOneModel<>(guard(id, expected), doc));
                replaces++;
            }
        }
        int expectInserts = inserts;
        int expectReplaces = replaces;
        int expectDeletes = deletes;
        return Mono.from(c.bulkWrite(models, new BulkWriteOptions().ordered(false)))
                .map(r -> r.getInsertedCount() == expectInserts && r.getMatchedCount() == expectReplaces
                        && r.getDeletedCount() == expectDeletes)
                .onErrorResume(MongoKeyspace::onlyDuplicateKeys, e -> Mono.just(false))
                .toFuture()
                .exceptionallyCompose(MongoKeyspace::explain);
    }

    /** A bulk write whose only errors are duplicate keys: conflicts, not failures. */
    private static boolean onlyDuplicateKeys(Throwable e) {
        return e instanceof MongoBulkWriteException b && b.getWriteConcernError() == null
                && b.getWriteErrors().stream().allMatch(err -> err.getCategory() == ErrorCategory.DUPLICATE_KEY);
    }

    private CompletableFuture<Boolean> apply(MongoCollection<BsonDocument> c, Write w) {
        BsonValue id = KeyDocument.id(w.key());
        long expected = w.expectedVersion();
        boolean delete = w.value() == null && !w.divergent();
        if (delete && expected == 0) {
            // Deleting a key that must not exist: a no-op that holds only if it still does not.
            Bson idOnly = Projections.include(KeyDocument.ID);
            return Mono.from(c.find(Filters.eq(KeyDocument.ID, id)).projection(idOnly).first())
                    .map(found -> false).defaultIfEmpty(true).toFuture();
        }
        if (delete) {
            return Mono.from(c.deleteOne(guard(id, expected))).map(r -> r.getDeletedCount() == 1).toFuture();
        }
        BsonDocument doc = KeyDocument.of(w.key(), w.value(), w.expireAt(), expected + 1, w.divergent());
        if (expected == 0) {
            return Mono.from(c.insertOne(doc)).map(r -> true)
                    .onErrorResume(MongoKeyspace::isDuplicateKey, e -> Mono.just(false))
                    .toFuture();
        }
        return Mono.from(c.replaceOne(guard(id, expected), doc)).map(r -> r.getMatchedCount() == 1).toFuture();
    }

    /** {@code {_id, version}} as one flat filter, which the {@code _id_version} index serves; {@code {_id}} when exclusive. */
    private Bson guard(BsonValue id, long version) {
        BsonDocument filter = new BsonDocument(KeyDocument.ID, id);
        return exclusive ? filter : filter.append(KeyDocument.VERSION, new BsonInt64(version));
    }

    private static boolean isDuplicateKey(Throwable e) {
        return e instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }

    /** Turns a document over the size limit into the command error a client should see. */
    private static CompletionStage<Boolean> explain(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        boolean tooLarge = cause instanceof BsonMaximumSizeExceededException
                || cause instanceof MongoException m && TOO_LARGE_CODES.contains(m.getCode());
        return CompletableFuture.failedFuture(tooLarge ? new CommandError(EngineErrors.tooLarge(DOCUMENT_LIMIT)) : cause);
    }

    /**
     * Scans in two phases because BSON compares values of different types by type first: first the
     * string {@code _id}s in the server's order, then the Binary ones. The type of {@code after}'s
     * {@code _id} says which phase a page starts in.
     */
    @Override
    public CompletionStage<List<byte[]>> scan(int db, byte[] after, int count, long nowMillis) {
        BsonValue from = after == null ? null : KeyDocument.id(after);
        return collection(db).thenCompose(c -> {
            if (from != null && from.isBinary()) {
                return page(c, Filters.gt(KeyDocument.ID, from), count, nowMillis);
            }
            Bson strings = from == null ? Filters.gte(KeyDocument.ID, FIRST_STRING) : Filters.gt(KeyDocument.ID, from);
            return page(c, strings, count, nowMillis).thenCompose(keys -> {
                if (keys.size() >= count) {
                    return CompletableFuture.completedFuture(keys);
                }
                return page(c, Filters.gte(KeyDocument.ID, FIRST_BINARY), count - keys.size(), nowMillis)
                        .thenApply(binary -> {
                            keys.addAll(binary);
                            return keys;
                        });
            });
        });
    }

    private static CompletableFuture<List<byte[]>> page(MongoCollection<BsonDocument> c, Bson range, int count,
                                                        long nowMillis) {
        if (count <= 0) {
            return CompletableFuture.completedFuture(new ArrayList<>());
        }
        return Flux.from(c.find(Filters.and(range, live(nowMillis)))
                        .projection(Projections.include(KeyDocument.ID))
                        .sort(Sorts.ascending(KeyDocument.ID))
                        .limit(count))
                .map(doc -> KeyDocument.key(doc.get(KeyDocument.ID)))
                .collect(ArrayList<byte[]>::new, ArrayList::add)
                .map(list -> (List<byte[]>) list)
                .toFuture();
    }

    @Override
    public CompletionStage<Long> size(int db, long nowMillis) {
        return collection(db).thenCompose(c -> Mono.from(c.countDocuments(live(nowMillis))).toFuture());
    }

    @Override
    public CompletionStage<Void> clear(int db, boolean divergent) {
        return collection(db).thenCompose(c -> {
            if (!divergent) {
                return Mono.from(c.deleteMany(new BsonDocument())).then().toFuture();
            }
            // Plain update operators, not a pipeline: the same on MongoDB and mongo-java-server.
            Bson tombstone = Updates.combine(
                    Updates.unset(KeyDocument.VALUE),
                    Updates.unset(KeyDocument.EXPIRE_AT),
                    Updates.set(KeyDocument.TYPE, KeyDocument.TOMBSTONE_TYPE),
                    Updates.set(KeyDocument.DIVERGENT, true),
                    Updates.inc(KeyDocument.VERSION, 1L));
            return Mono.from(c.updateMany(new BsonDocument(), tombstone)).then().toFuture();
        });
    }

    /**
     * Deletes the documents expired at {@code nowMillis} that are not divergent from every
     * {@code kv_N} collection, including ones this process has not touched yet. A divergent one
     * stays until it has been replayed into Redis. Completes with the number deleted.
     */
    public CompletionStage<Long> sweep(long nowMillis) {
        Bson expired = Filters.and(
                Filters.lte(KeyDocument.EXPIRE_AT, new BsonDateTime(nowMillis)),
                Filters.eq(KeyDocument.DIVERGENT, false));
        return Flux.from(database.listCollectionNames())
                .filter(name -> COLLECTION_NAME.matcher(name).matches())
                .flatMap(name -> Mono.from(database.getCollection(name, BsonDocument.class).deleteMany(expired)))
                .map(r -> r.getDeletedCount())
                .reduce(0L, Long::sum)
                .toFuture();
    }

    /** Documents marked divergent (writes, or delete tombstones, Redis has not seen) in every {@code kv_N} collection. */
    public CompletionStage<Long> divergentCount() {
        return Flux.from(database.listCollectionNames())
                .filter(name -> COLLECTION_NAME.matcher(name).matches())
                .flatMap(name -> Mono.from(database.getCollection(name, BsonDocument.class)
                        .countDocuments(Filters.eq(KeyDocument.DIVERGENT, true))))
                .reduce(0L, Long::sum)
                .toFuture();
    }

    /**
     * Up to {@code limit} keys of the db whose documents are divergent (a value or a delete
     * tombstone Redis has not seen), in no particular order: the write-back lists them, writes
     * them to Redis and clears the mark, until none is left.
     */
    public CompletionStage<List<byte[]>> divergentKeys(int db, int limit) {
        return collection(db).thenCompose(c -> Flux.from(c.find(Filters.eq(KeyDocument.DIVERGENT, true))
                        .projection(Projections.include(KeyDocument.ID)).limit(limit))
                .map(doc -> KeyDocument.key(doc.get(KeyDocument.ID)))
                .collectList()
                .toFuture());
    }

    /** Live: holds a value that has no expiry or expires after {@code nowMillis}. */
    private static Bson live(long nowMillis) {
        return Filters.and(
                Filters.exists(KeyDocument.VALUE),
                Filters.or(Filters.eq(KeyDocument.EXPIRE_AT, null),
                        Filters.gt(KeyDocument.EXPIRE_AT, new BsonDateTime(nowMillis))));
    }

    /**
     * The db's collection, once its indexes exist. A failed index creation is forgotten, so the
     * next use tries again (MongoDB may have been down).
     */
    private CompletableFuture<MongoCollection<BsonDocument>> collection(int db) {
        CompletableFuture<MongoCollection<BsonDocument>> ready = collections.get(db);
        if (ready != null) {
            return ready;
        }
        CompletableFuture<MongoCollection<BsonDocument>> mine = new CompletableFuture<>();
        ready = collections.putIfAbsent(db, mine);
        if (ready != null) {
            return ready;
        }
        prepare(db).whenComplete((c, error) -> {
            if (error != null) {
                collections.remove(db, mine);
                mine.completeExceptionally(error);
            } else {
                mine.complete(c);
            }
        });
        return mine;
    }

    private CompletableFuture<MongoCollection<BsonDocument>> prepare(int db) {
        MongoCollection<BsonDocument> c = database.getCollection("kv_" + db, BsonDocument.class);
        List<IndexModel> indexes = new ArrayList<>();
        if (!exclusive) {
            // Guarded writes filter on {_id, version}. Real MongoDB answers that from the _id
            // index alone; mongo-java-server only uses an index whose keys are exactly the
            // filter's, and without this one scans the whole collection on every write.
            indexes.add(new IndexModel(Indexes.ascending(KeyDocument.ID, KeyDocument.VERSION),
                    new IndexOptions().unique(true).name("_id_version")));
        }
        indexes.addAll(List.of(
                new IndexModel(Indexes.ascending(KeyDocument.DIVERGENT)),
                // Real MongoDB removes expired keys itself; the partial filter keeps a divergent
                // document until it has been replayed. mongo-java-server accepts but ignores this.
                new IndexModel(Indexes.ascending(KeyDocument.EXPIRE_AT), new IndexOptions()
                        .expireAfter(0L, TimeUnit.SECONDS)
                        .partialFilterExpression(Filters.eq(KeyDocument.DIVERGENT, false)))));
        return Flux.from(c.createIndexes(indexes))
                .onErrorResume(MongoKeyspace::isIndexConflict, e -> {
                    // An index of that name exists with other options: serve rather than refuse,
                    // but say so, as a TTL index without the filter removes divergent keys
                    // before they are replayed.
                    log.warn("[Database] MongoDB {} has its own index on expireAt or divergent; check that a TTL "
                            + "index there has partialFilterExpression {{divergent: false}}: {}",
                            c.getNamespace(), e.getMessage());
                    return Mono.empty();
                })
                .then(Mono.just(c)).toFuture();
    }

    /** IndexOptionsConflict (85) or IndexKeySpecsConflict (86). */
    private static boolean isIndexConflict(Throwable e) {
        return e instanceof MongoCommandException m && (m.getCode() == 85 || m.getCode() == 86);
    }
}
