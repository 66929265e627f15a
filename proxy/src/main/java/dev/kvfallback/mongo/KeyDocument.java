package dev.kvfallback.mongo;

import dev.kvfallback.engine.Bytes;
import dev.kvfallback.engine.HashValue;
import dev.kvfallback.engine.ListValue;
import dev.kvfallback.engine.RedisValue;
import dev.kvfallback.engine.SetValue;
import dev.kvfallback.engine.Stored;
import dev.kvfallback.engine.StringValue;
import dev.kvfallback.engine.ZSetValue;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;

/**
 * How one key is laid out as a MongoDB document:
 * {@code {_id, type, value, expireAt, version, divergent}}.
 *
 * <p>{@code _id} is a BSON string when the key is valid UTF-8 (checked with a strict decoder, so
 * the string re-encodes to exactly the same bytes), otherwise Binary. Every byte string inside a
 * value is Binary subtype 0, the one subtype every MongoDB-wire server round-trips. A hash is an
 * array of {@code {f, v}} and a zset an array of {@code {m, s}}, both in order, so the order the
 * engine replies in survives a round trip. {@code expireAt} is a BSON date, absent when the key has
 * no expiry, so a TTL index can act on it. A tombstone has type {@code none} and no value.
 */
final class KeyDocument {

    static final String ID = "_id";
    static final String TYPE = "type";
    static final String VALUE = "value";
    static final String EXPIRE_AT = "expireAt";
    static final String VERSION = "version";
    static final String DIVERGENT = "divergent";
    static final String TOMBSTONE_TYPE = "none";

    private KeyDocument() {
    }

    /** The {@code _id} for {@code key}: a string if it is valid UTF-8, Binary otherwise. */
    static BsonValue id(byte[] key) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key))
                    .toString();
            return new BsonString(text);
        } catch (CharacterCodingException e) {
            return new BsonBinary(key);
        }
    }

    /** The key bytes of an {@code _id} written by {@link #id}. */
    static byte[] key(BsonValue id) {
        if (id.isString()) {
            return id.asString().getValue().getBytes(StandardCharsets.UTF_8);
        }
        if (id.isBinary()) {
            return id.asBinary().getData();
        }
        throw new IllegalStateException("unexpected _id type " + id.getBsonType() + " in a kvfallback collection");
    }

    /** The document a write leaves behind, at {@code version}; no {@code value} for a tombstone. */
    static BsonDocument of(byte[] key, RedisValue value, long expireAt, long version, boolean divergent) {
        BsonDocument doc = new BsonDocument(ID, id(key));
        if (value == null) {
            doc.append(TYPE, new BsonString(TOMBSTONE_TYPE));
        } else {
            doc.append(TYPE, new BsonString(value.type()));
            doc.append(VALUE, encode(value));
            if (expireAt != 0) {
                doc.append(EXPIRE_AT, new BsonDateTime(expireAt));
            }
        }
        return doc.append(VERSION, new BsonInt64(version)).append(DIVERGENT, BsonBoolean.valueOf(divergent));
    }

    /** The stored key a document holds. */
    static Stored stored(BsonDocument doc) {
        byte[] key = key(doc.get(ID));
        BsonValue value = doc.get(VALUE);
        RedisValue decoded = value == null || value.isNull() ? null : decode(doc.getString(TYPE).getValue(), value);
        BsonValue expireAt = doc.get(EXPIRE_AT);
        long expiry = decoded != null && expireAt != null && expireAt.isDateTime() ? expireAt.asDateTime().getValue() : 0;
        BsonValue version = doc.get(VERSION);
        BsonValue divergent = doc.get(DIVERGENT);
        return new Stored(key, decoded, expiry,
                version != null && version.isNumber() ? version.asNumber().longValue() : 0,
                divergent != null && divergent.isBoolean() && divergent.asBoolean().getValue());
    }

    private static BsonValue encode(RedisValue value) {
        if (value instanceof StringValue s) {
            return new BsonBinary(s.bytes());
        }
        BsonArray array = new BsonArray();
        if (value instanceof HashValue h) {
            h.fields().forEach((f, v) -> array.add(
                    new BsonDocument("f", new BsonBinary(f.bytes())).append("v", new BsonBinary(v))));
        } else if (value instanceof ListValue l) {
            l.elements().forEach(e -> array.add(new BsonBinary(e)));
        } else if (value instanceof SetValue s) {
            s.members().forEach(m -> array.add(new BsonBinary(m.bytes())));
        } else if (value instanceof ZSetValue z) {
            z.ordered().forEach(e -> array.add(
                    new BsonDocument("m", new BsonBinary(e.member().bytes())).append("s", new BsonDouble(e.score()))));
        }
        return array;
    }

    private static RedisValue decode(String type, BsonValue value) {
        return switch (type) {
            case "string" -> new StringValue(value.asBinary().getData());
            case "hash" -> {
                LinkedHashMap<Bytes, byte[]> fields = new LinkedHashMap<>();
                for (BsonValue e : value.asArray()) {
                    BsonDocument d = e.asDocument();
                    fields.put(Bytes.wrap(d.getBinary("f").getData()), d.getBinary("v").getData());
                }
                yield new HashValue(fields);
            }
            case "list" -> {
                ArrayList<byte[]> elements = new ArrayList<>(value.asArray().size());
                for (BsonValue e : value.asArray()) {
                    elements.add(e.asBinary().getData());
                }
                yield new ListValue(elements);
            }
            case "set" -> {
                LinkedHashSet<Bytes> members = new LinkedHashSet<>();
                for (BsonValue e : value.asArray()) {
                    members.add(Bytes.wrap(e.asBinary().getData()));
                }
                yield new SetValue(members);
            }
            case "zset" -> {
                ZSetValue zset = new ZSetValue();
                for (BsonValue e : value.asArray()) {
                    BsonDocument d = e.asDocument();
                    zset.put(Bytes.wrap(d.getBinary("m").getData()), d.getNumber("s").doubleValue());
                }
                yield zset;
            }
            default -> throw new IllegalStateException("unknown value type '" + type + "' in a kvfallback document");
        };
    }
}
