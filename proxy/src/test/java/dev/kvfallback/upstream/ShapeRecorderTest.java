package dev.kvfallback.upstream;

import dev.kvfallback.protocol.RespRequest;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What Lettuce's decoder is handed: every reply as Redis sent it, except elements it cannot decode
 * (nested {@link ShapeRecorder#RAW_DEPTH} levels down, RESP3 attributes), each replaced by an
 * empty bulk string while the reply's shape keeps its bytes; however the stream is split into reads.
 */
class ShapeRecorderTest {

    private static final String PLACEHOLDER = "$0\r\n\r\n";

    @Test
    void shallowRepliesPassUntouched() {
        String replies = "+OK\r\n*2\r\n$1\r\na\r\n%1\r\n+k\r\n,1.5\r\n:7\r\n";
        for (int chunk : new int[] {1, 3, 1000}) {
            Result r = run(replies, 3, chunk);
            assertEquals(replies, r.forwarded);
            assertEquals(List.of(), r.raws);
        }
    }

    @Test
    void anAggregateStartingAtTheRawDepthIsWithheldWholeAndReplaced() {
        String deep = nested(40, "*0\r\n");
        String outer = "*1\r\n".repeat(ShapeRecorder.RAW_DEPTH);
        String inner = deep.substring(outer.length());
        String replies = "+OK\r\n" + deep + ":1\r\n" + deep;
        for (int chunk : new int[] {1, 2, 7, 1000}) {
            Result r = run(replies, 2, chunk);
            assertEquals("+OK\r\n" + outer + PLACEHOLDER + ":1\r\n" + outer + PLACEHOLDER, r.forwarded, "chunk " + chunk);
            assertEquals(List.of(inner, inner), r.raws, "chunk " + chunk);
        }
    }

    @Test
    void anAttributeAndTheValueItAnnotatesAreOneRawElementAtAnyLevel() {
        String attributed = "|1\r\n$3\r\nkey\r\n*2\r\n$1\r\na\r\n:9\r\n$5\r\nhello\r\n";
        String replies = attributed + "*2\r\n:1\r\n" + attributed + "+OK\r\n";
        for (int chunk : new int[] {1, 5, 1000}) {
            Result r = run(replies, 3, chunk);
            assertEquals(PLACEHOLDER + "*2\r\n:1\r\n" + PLACEHOLDER + "+OK\r\n", r.forwarded, "chunk " + chunk);
            assertEquals(List.of(attributed, attributed), r.raws, "chunk " + chunk);
        }
    }

    @Test
    void bulkPayloadsThatLookLikeHeadersAreSkippedNotParsed() {
        String tricky = "$8\r\n*1\r\n|1\r\n\r\n";
        String replies = nested(ShapeRecorder.RAW_DEPTH, tricky) + tricky;
        Result r = run(replies, 2, 1);
        assertEquals(replies, r.forwarded);
    }

    private static String nested(int levels, String leaf) {
        return "*1\r\n".repeat(levels) + leaf;
    }

    private record Result(String forwarded, List<String> raws) {
    }

    /** Feeds {@code replies} in chunks of {@code chunk} bytes, one awaiting command per top-level reply. */
    private static Result run(String replies, int protocol, int chunk) {
        ArrayDeque<RedisCommand<?, ?, ?>> stack = new ArrayDeque<>();
        EmbeddedChannel channel = new EmbeddedChannel(new ShapeRecorder(() -> stack));
        List<ReplyShape> shapes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            RawCommand command = new RawCommand(channel.eventLoop(), protocol, RespRequest.of("PING"), v -> { });
            stack.add(command);
            shapes.add(command.shape());
        }
        byte[] bytes = replies.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
        for (int at = 0; at < bytes.length; at += chunk) {
            channel.writeInbound(Unpooled.copiedBuffer(bytes, at, Math.min(chunk, bytes.length - at)));
            ByteBuf out;
            while ((out = channel.readInbound()) != null) {
                forwarded.writeBytes(ByteBufUtil.getBytes(out));
                out.release();
            }
        }
        channel.finishAndReleaseAll();
        List<String> raws = new ArrayList<>();
        for (ReplyShape shape : shapes) {
            for (int element = 0; element < 64; element++) { // past what was recorded, next() answers '$'
                if (shape.next() == ReplyShape.RAW) {
                    assertEquals(protocol, shape.protocol());
                    raws.add(new String(shape.nextRaw(), StandardCharsets.US_ASCII));
                }
            }
        }
        return new Result(forwarded.toString(StandardCharsets.US_ASCII), raws);
    }
}
