package dev.kvfallback.replay;

import dev.kvfallback.engine.Bytes;
import dev.kvfallback.engine.HashValue;
import dev.kvfallback.engine.ListValue;
import dev.kvfallback.engine.SetValue;
import dev.kvfallback.engine.Stored;
import dev.kvfallback.engine.StringValue;
import dev.kvfallback.engine.ZSetValue;
import dev.kvfallback.protocol.RespDoubles;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Redis commands that make a key in Redis what MongoDB holds, atomically: a delete for a key
 * MongoDB holds no live value of (a delete tombstone, an expired key); one {@code SET ... PXAT} for a
 * string; for a collection a {@code MULTI} block that deletes the key, adds the whole value back in
 * chunks and sets the absolute expiry, so no client of Redis ever sees half a value.
 */
final class WriteBack {

    /** Elements per adding command, so no single command is huge. */
    static final int CHUNK = 512;

    private WriteBack() {
    }

    /** The commands for {@code stored} as of {@code nowMillis}. */
    static List<RespRequest> commands(Stored stored, long nowMillis) {
        byte[] key = stored.key();
        if (!stored.liveAt(nowMillis)) {
            return List.of(request("DEL", key));
        }
        long expireAt = stored.expireAt();
        if (stored.value() instanceof StringValue s) {
            return List.of(expireAt == 0 ? request("SET", key, s.bytes())
                    : request("SET", key, s.bytes(), ascii("PXAT"), ascii(Long.toString(expireAt))));
        }
        List<RespRequest> block = new ArrayList<>();
        block.add(request("MULTI"));
        block.add(request("DEL", key));
        if (stored.value() instanceof HashValue h) {
            List<byte[]> pairs = new ArrayList<>(h.fields().size() * 2);
            for (Map.Entry<Bytes, byte[]> e : h.fields().entrySet()) {
                pairs.add(e.getKey().bytes());
                pairs.add(e.getValue());
            }
            chunked(block, "HSET", key, pairs, 2);
        } else if (stored.value() instanceof ListValue l) {
            chunked(block, "RPUSH", key, l.elements(), 1);
        } else if (stored.value() instanceof SetValue s) {
            List<byte[]> members = new ArrayList<>(s.members().size());
            for (Bytes m : s.members()) {
                members.add(m.bytes());
            }
            chunked(block, "SADD", key, members, 1);
        } else if (stored.value() instanceof ZSetValue z) {
            List<byte[]> pairs = new ArrayList<>(z.size() * 2);
            for (ZSetValue.Entry e : z.ordered()) {
                pairs.add(ascii(RespDoubles.format(e.score())));
                pairs.add(e.member().bytes());
            }
            chunked(block, "ZADD", key, pairs, 2);
        } else {
            throw new IllegalStateException("no write-back for " + stored.value().type());
        }
        if (expireAt != 0) {
            block.add(request("PEXPIREAT", key, ascii(Long.toString(expireAt))));
        }
        block.add(request("EXEC"));
        return block;
    }

    /**
     * Whether Redis took the write-back: no error among {@code replies} and, for a {@code MULTI}
     * block, none inside EXEC's reply (null: EXEC aborted). Returns the first error, or null.
     */
    static RespValue.Error firstError(List<RespValue> replies) {
        for (RespValue reply : replies) {
            if (reply instanceof RespValue.Error e) {
                return e;
            }
        }
        RespValue last = replies.get(replies.size() - 1);
        if (replies.size() > 1 && last instanceof RespValue.Array exec) {
            for (RespValue item : exec.items()) {
                if (item instanceof RespValue.Error e) {
                    return e;
                }
            }
        } else if (replies.size() > 1) {
            return new RespValue.Error("ERR kvfallback: the write-back's transaction did not run (" + last + ")");
        }
        return null;
    }

    private static void chunked(List<RespRequest> block, String command, byte[] key, List<byte[]> items, int step) {
        int perCommand = CHUNK * step;
        for (int from = 0; from < items.size(); from += perCommand) {
            List<byte[]> part = items.subList(from, Math.min(items.size(), from + perCommand));
            byte[][] argv = new byte[part.size() + 2][];
            argv[0] = ascii(command);
            argv[1] = key;
            for (int i = 0; i < part.size(); i++) {
                argv[i + 2] = part.get(i);
            }
            block.add(new RespRequest(argv, false));
        }
    }

    private static RespRequest request(String command, byte[]... args) {
        byte[][] argv = new byte[args.length + 1][];
        argv[0] = ascii(command);
        System.arraycopy(args, 0, argv, 1, args.length);
        return new RespRequest(argv, false);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
