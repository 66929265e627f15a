package dev.kvfallback.upstream;

import dev.kvfallback.protocol.RespValue;
import io.lettuce.core.api.push.PushMessage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Turns a Lettuce {@link PushMessage} (RESP3 out-of-band frame) back into a RESP push value. */
final class PushValues {

    private PushValues() {
    }

    static RespValue toResp(PushMessage message) {
        List<Object> content = message.getContent(buffer -> {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        });
        return new RespValue.Push(convert(content));
    }

    private static List<RespValue> convert(List<?> items) {
        List<RespValue> out = new ArrayList<>(items.size());
        for (Object item : items) {
            out.add(value(item));
        }
        return out;
    }

    private static RespValue value(Object item) {
        if (item == null) {
            return RespValue.Null.BULK;
        } else if (item instanceof byte[] bytes) {
            return new RespValue.Bulk(bytes);
        } else if (item instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return new RespValue.Bulk(bytes);
        } else if (item instanceof Long l) {
            return new RespValue.Int(l);
        } else if (item instanceof Double d) {
            return new RespValue.Double(d);
        } else if (item instanceof Boolean b) {
            return RespValue.Bool.of(b);
        } else if (item instanceof List<?> list) {
            return new RespValue.Array(convert(list));
        }
        return RespValue.Bulk.of(String.valueOf(item));
    }
}
