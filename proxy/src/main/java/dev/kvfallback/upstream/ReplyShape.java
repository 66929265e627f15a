package dev.kvfallback.upstream;

import java.util.Arrays;

/**
 * The wire kinds of one reply's string elements, in the order Lettuce reports them, so that
 * {@link RespOutput} can tell {@code +OK} from {@code $2 OK}: Lettuce's decoder hands both to
 * {@code set(ByteBuffer)}. Recorded by {@link ShapeRecorder} from the bytes Redis sent; for each
 * element that reaches {@code set(ByteBuffer)} (simple, bulk, verbatim, bulk error, or a null):
 * its type byte, and for a verbatim string its three-letter format; or that it is a raw element
 * standing in for what Lettuce cannot decode (see {@link ShapeRecorder}).
 */
final class ReplyShape {

    /** The kind of an element relayed raw ({@link #addRaw}). */
    static final byte RAW = 'R';

    private final int protocol;
    private byte[] kinds = new byte[8];
    private String[] formats;
    private int written;
    private int read;
    /** The raw elements' bytes, in order; null while there are none. */
    private java.util.ArrayDeque<byte[]> raws;

    /** @param protocol the RESP version of the connection the reply arrives on */
    ReplyShape(int protocol) {
        this.protocol = protocol;
    }

    int protocol() {
        return protocol;
    }

    /** An element Lettuce gets as an empty bulk string and the client as these bytes. */
    void addRaw(byte[] bytes) {
        add(RAW);
        if (raws == null) {
            raws = new java.util.ArrayDeque<>(1);
        }
        raws.add(bytes);
    }

    /** The bytes of the next raw element, after {@link #next} returned {@link #RAW}. */
    byte[] nextRaw() {
        return raws.poll();
    }

    void add(byte kind) {
        if (written == kinds.length) {
            kinds = Arrays.copyOf(kinds, written * 2);
        }
        kinds[written++] = kind;
    }

    /** Sets the format of the verbatim string recorded last. */
    void format(String format) {
        if (formats == null) {
            formats = new String[kinds.length];
        } else if (formats.length < kinds.length) {
            formats = Arrays.copyOf(formats, kinds.length);
        }
        formats[written - 1] = format;
    }

    /** The kind of the next string element, or {@code $} when nothing was recorded. */
    byte next() {
        return read < written ? kinds[read++] : (byte) '$';
    }

    /** The format of the element {@link #next} returned last. */
    String lastFormat() {
        return formats == null || read == 0 || formats[read - 1] == null ? "txt" : formats[read - 1];
    }
}
