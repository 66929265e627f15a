package dev.kvfallback.mongo;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.kvfallback.engine.Bytes;
import dev.kvfallback.engine.CommandError;
import dev.kvfallback.engine.HashValue;
import dev.kvfallback.engine.Keyspace;
import dev.kvfallback.engine.KeyspaceContract;
import dev.kvfallback.engine.StringValue;
import dev.kvfallback.engine.Write;
import dev.kvfallback.engine.ZSetValue;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MongoKeyspace} against the contract, on the embedded H2-backed server, plus what only a
 * MongoDB keyspace has: the document layout other tools (and a TTL index) see, and the size limit.
 */
class MongoKeyspaceIT extends KeyspaceContract {

    @TempDir
    static Path dataDir;

    private static EmbeddedMongo server;
    private static MongoClient client;
    private static final AtomicInteger databases = new AtomicInteger();

    private MongoDatabase database;

    @BeforeAll
    static void start() {
        server = EmbeddedMongo.start(dataDir);
        client = MongoClients.create(server.connectionString());
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A database of its own per test, so tests never see each other's keys. */
    @Override
    protected Keyspace keyspace() {
        database = client.getDatabase("contract" + databases.incrementAndGet());
        return new MongoKeyspace(database, exclusive());
    }

    /** Whether the keyspaces under test are used by this process alone; see {@link ExclusiveMongoKeyspaceIT}. */
    boolean exclusive() {
        return false;
    }

    @Override
    protected boolean refusesStaleVersions() {
        return !exclusive();
    }

    @Test
    void documentsHaveTheDocumentedLayout() throws Exception {
        MongoKeyspace ks = (MongoKeyspace) keyspace();
        LinkedHashMap<Bytes, byte[]> fields = new LinkedHashMap<>();
        fields.put(Bytes.of("f"), new byte[] {(byte) 0xff});
        ZSetValue zset = new ZSetValue();
        zset.put(Bytes.of("m"), 2.5);
        byte[] binaryKey = {(byte) 0xff, 0x00};
        assertTrue(await(ks.write(3, List.of(
                new Write(utf8("s"), 0, new StringValue(utf8("v")), NOW + 1000, false),
                new Write(binaryKey, 0, new HashValue(fields), 0, true),
                new Write(utf8("z"), 0, zset, 0, false),
                new Write(utf8("t"), 0, null, 0, true)))));
        List<BsonDocument> docs = Flux.from(database.getCollection("kv_3", BsonDocument.class).find())
                .collectList().toFuture().get();
        BsonDocument s = find(docs, new BsonString("s"));
        assertEquals("string", s.getString("type").getValue());
        assertEquals(BsonBinarySubType.BINARY.getValue(), s.getBinary("value").getType());
        assertEquals(NOW + 1000, s.getDateTime("expireAt").getValue(), "a BSON date, for a TTL index");
        assertEquals(1L, s.getInt64("version").getValue());
        assertFalse(s.getBoolean("divergent").getValue());

        BsonDocument h = find(docs, new BsonBinary(binaryKey));
        assertEquals("hash", h.getString("type").getValue());
        BsonDocument field = h.getArray("value").get(0).asDocument();
        assertEquals(new BsonBinary(utf8("f")), field.get("f"));
        assertEquals(new BsonBinary(new byte[] {(byte) 0xff}), field.get("v"));
        assertFalse(h.containsKey("expireAt"));
        assertTrue(h.getBoolean("divergent").getValue());

        BsonDocument z = find(docs, new BsonString("z"));
        assertEquals(2.5, z.getArray("value").get(0).asDocument().getDouble("s").getValue());

        BsonDocument t = find(docs, new BsonString("t"));
        assertEquals("none", t.getString("type").getValue());
        assertFalse(t.containsKey("value"));
        assertTrue(t.getBoolean("divergent").getValue());
    }

    @Test
    void aDocumentOverTheSizeLimitFailsWithAClearError() throws Exception {
        Keyspace ks = keyspace();
        byte[] huge = new byte[17 * 1024 * 1024];
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> await(ks.write(0, List.of(new Write(utf8("big"), 0, new StringValue(huge), 0, false)))));
        CommandError error = assertInstanceOf(CommandError.class, e.getCause());
        assertTrue(error.getMessage().contains("16 MB document limit"), error.getMessage());
        assertEquals(0, await(ks.load(0, List.of(utf8("big")))).get(0).version());
    }

    @Test
    void sweepRemovesOnlyExpiredDocumentsThatAreNotDivergent() throws Exception {
        MongoKeyspace ks = (MongoKeyspace) keyspace();
        assertTrue(await(ks.write(0, List.of(
                new Write(utf8("expired"), 0, new StringValue(utf8("v")), NOW - 1, false),
                new Write(utf8("expired-divergent"), 0, new StringValue(utf8("v")), NOW - 1, true),
                new Write(utf8("later"), 0, new StringValue(utf8("v")), NOW + 1, false),
                new Write(utf8("forever"), 0, new StringValue(utf8("v")), 0, false)))));
        assertTrue(await(ks.write(7, List.of(new Write(utf8("other-db"), 0, new StringValue(utf8("v")), NOW, false)))));
        assertEquals(2L, await(ks.sweep(NOW)));
        List<Long> versions = await(ks.load(0, List.of(utf8("expired"), utf8("expired-divergent"), utf8("later"),
                utf8("forever")))).stream().map(s -> s.version()).toList();
        assertEquals(List.of(0L, 1L, 1L, 1L), versions);
        assertEquals(0, await(ks.load(7, List.of(utf8("other-db")))).get(0).version());
    }

    private static BsonDocument find(List<BsonDocument> docs, org.bson.BsonValue id) {
        return docs.stream().filter(d -> d.get("_id").equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no document " + id));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
