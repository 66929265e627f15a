package dev.kvfallback.engine;

import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One command as an engine command sees it: its arguments, the keys it may touch ({@link #txn}),
 * the client's protocol (some replies differ between RESP2 and RESP3 beyond what the encoder
 * downgrades), the time and a random source.
 */
public final class Call {

    private final RespRequest request;
    private final Txn txn;
    private final int protocol;
    private final RandomGenerator random;

    Call(RespRequest request, Txn txn, int protocol, RandomGenerator random) {
        this.request = request;
        this.txn = txn;
        this.protocol = protocol;
        this.random = random;
    }

    public Txn txn() {
        return txn;
    }

    /** The client's RESP version, 2 or 3. */
    public int protocol() {
        return protocol;
    }

    public boolean resp3() {
        return protocol == 3;
    }

    /** The transaction's time, Unix milliseconds. */
    public long now() {
        return txn.now();
    }

    public RandomGenerator random() {
        return random;
    }

    /** Number of arguments, the command name included. */
    public int argc() {
        return request.size();
    }

    /** Argument {@code i} (0 is the command name); the caller must not change it. */
    public byte[] arg(int i) {
        return request.arg(i);
    }

    /** Arguments {@code from} (inclusive) to the end. */
    public List<byte[]> argsFrom(int from) {
        return request.args().subList(from, request.size());
    }

    /** Whether argument {@code i} is {@code option}, ignoring ASCII case ({@code option} in lower case). */
    public boolean is(int i, String option) {
        byte[] a = request.arg(i);
        if (a.length != option.length()) {
            return false;
        }
        for (int k = 0; k < a.length; k++) {
            int c = a[k];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != option.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Argument {@code i} as a 64-bit integer, or {@code ERR value is not an integer or out of range}. */
    public long longArg(int i) {
        return Numbers.longOrError(request.arg(i));
    }

    /** The command name in lower case, e.g. {@code hset}. */
    public String name() {
        return request.name();
    }

    // Reply helpers, so commands read as Redis's do.

    public static RespValue bulk(byte[] bytes) {
        return bytes == null ? RespValue.Null.BULK : new RespValue.Bulk(bytes);
    }

    public static RespValue bulk(Bytes bytes) {
        return bytes == null ? RespValue.Null.BULK : new RespValue.Bulk(bytes.bytes());
    }

    /** Each value as a bulk string, in order. */
    public static List<RespValue> bulks(Collection<byte[]> values) {
        List<RespValue> out = new ArrayList<>(values.size());
        for (byte[] v : values) {
            out.add(bulk(v));
        }
        return out;
    }

    /** Each member as a bulk string, in order. */
    public static List<RespValue> bulksOf(Collection<Bytes> members) {
        List<RespValue> out = new ArrayList<>(members.size());
        for (Bytes m : members) {
            out.add(bulk(m));
        }
        return out;
    }

    public static RespValue integer(long v) {
        return new RespValue.Int(v);
    }

    public static RespValue text(String s) {
        return new RespValue.Bulk(s.getBytes(StandardCharsets.UTF_8));
    }
}
