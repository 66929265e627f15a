package dev.kvfallback.server;

import dev.kvfallback.protocol.RespValue;

import java.util.ArrayList;
import java.util.List;

/**
 * One reply slot in a client's reply queue, created when its command arrives so replies leave in
 * request order whatever order the backends answer in. Most commands get one value; a
 * (P|S)SUBSCRIBE gets one frame per channel, and completes when they have all arrived.
 */
final class Reply {

    final int protocol;
    private RespValue value;
    private List<RespValue> frames;
    private int expectedFrames;
    boolean closeAfter;
    /** Not written: the client turned replies off ({@code CLIENT REPLY OFF|SKIP}). */
    boolean silent;
    /** Bytes of the request this answers, given back to the client's budget once written (0: none). */
    long weight;

    Reply(int protocol) {
        this.protocol = protocol;
    }

    static Reply of(RespValue value, int protocol) {
        Reply r = new Reply(protocol);
        r.value = value;
        return r;
    }

    /** A slot that completes after {@code count} frames. */
    static Reply frames(int count, int protocol) {
        Reply r = new Reply(protocol);
        r.frames = new ArrayList<>(count);
        r.expectedFrames = count;
        return r;
    }

    void complete(RespValue v) {
        value = v;
    }

    boolean awaitsFrames() {
        return frames != null && frames.size() < expectedFrames && value == null;
    }

    /** Adds a frame; true when that was the last one expected. */
    boolean addFrame(RespValue frame) {
        frames.add(frame);
        return frames.size() == expectedFrames;
    }

    boolean done() {
        return value != null || (frames != null && frames.size() >= expectedFrames);
    }

    /** What to write: the value, or else the frames. */
    List<RespValue> values() {
        if (value != null) {
            return frames == null || frames.isEmpty() ? List.of(value) : concat();
        }
        return frames;
    }

    private List<RespValue> concat() {
        List<RespValue> all = new ArrayList<>(frames);
        all.add(value);
        return all;
    }
}
