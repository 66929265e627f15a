package dev.kvfallback.upstream;

import java.util.Arrays;

/**
 * The wire kinds of one reply's string elements, in the order Lettuce reports them, so that
 * {@link RespOutput} can tell {@code +OK} from {@code $2 OK}: Lettuce's decoder hands both to
 * {@code set(ByteBuffer)}. Recorded by {@link ShapeRecorder} from the bytes Redis sent; for each
 * element that reaches {@code set(ByteBuffer)} (simple, bulk, verbatim, bulk error, or a null):
 * its type byte, and for a verbatim string its three-letter format.
 */
final class ReplyShape {

    private byte[] kinds = new byte[8];
    private String[] formats;
    private int written;
    private int read;

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
