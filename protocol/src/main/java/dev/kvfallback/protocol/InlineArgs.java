package dev.kvfallback.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits an inline command line into arguments exactly as Redis's {@code sdssplitargs} does, so that
 * a client typing into {@code telnet} or {@code nc} gets the arguments Redis would have seen.
 *
 * <p>The quirks kept on purpose: blanks between arguments are C {@code isspace} (space, \t, \n,
 * \v, \f, \r) but an unquoted argument ends only at space, \t, \n or \r; a quote may open in the
 * middle of an argument ({@code a"b c"} is {@code ab c}); a closing quote must be followed by a
 * blank or the end of the line; inside double quotes {@code \xHH} (two hex digits) and
 * {@code \n \r \t \b \a} are escapes and any other escaped byte stands for itself; inside single
 * quotes only {@code \'} is an escape. The line never contains NUL: the decoder stops looking for
 * the line end at a NUL, as Redis's {@code strchr} does.
 */
final class InlineArgs {

    private static final byte[][] NONE = new byte[0][];

    private InlineArgs() {
    }

    /** The arguments of {@code line}, none for a blank line, or null when quotes are unbalanced. */
    static byte[][] split(byte[] line) {
        List<byte[]> args = null;
        int p = 0;
        int end = line.length;
        ByteArrayBuilder current = new ByteArrayBuilder();
        while (true) {
            while (p < end && isSpace(line[p])) {
                p++;
            }
            if (p == end) {
                return args == null ? NONE : args.toArray(NONE);
            }
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            current.reset();
            while (!done) {
                // at(p) is 0 past the end, standing in for the C string's terminating NUL.
                byte c = at(line, p);
                if (inDouble) {
                    if (c == '\\' && at(line, p + 1) == 'x' && isHex(at(line, p + 2)) && isHex(at(line, p + 3))) {
                        current.add((byte) (hex(at(line, p + 2)) * 16 + hex(at(line, p + 3))));
                        p += 3;
                    } else if (c == '\\' && at(line, p + 1) != 0) {
                        p++;
                        current.add(unescape(line[p]));
                    } else if (c == '"') {
                        if (at(line, p + 1) != 0 && !isSpace(at(line, p + 1))) {
                            return null; // closing quote must be followed by a blank or nothing
                        }
                        done = true;
                    } else if (c == 0) {
                        return null; // unterminated quotes
                    } else {
                        current.add(c);
                    }
                } else if (inSingle) {
                    if (c == '\\' && at(line, p + 1) == '\'') {
                        p++;
                        current.add((byte) '\'');
                    } else if (c == '\'') {
                        if (at(line, p + 1) != 0 && !isSpace(at(line, p + 1))) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        current.add(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> current.add(c);
                    }
                }
                if (p < end) {
                    p++;
                }
            }
            if (args == null) {
                args = new ArrayList<>(4);
            }
            args.add(current.toArray());
        }
    }

    private static byte at(byte[] line, int i) {
        return i < line.length ? line[i] : 0;
    }

    private static byte unescape(byte c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> c;
        };
    }

    /** C {@code isspace} in the C locale; bytes from 0x80 are never blanks. */
    private static boolean isSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    /** A growable byte array for one argument; reused across the arguments of a line. */
    private static final class ByteArrayBuilder {
        private byte[] buf = new byte[16];
        private int size;

        void reset() {
            size = 0;
        }

        void add(byte b) {
            if (size == buf.length) {
                buf = Arrays.copyOf(buf, size * 2);
            }
            buf[size++] = b;
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
