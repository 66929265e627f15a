package dev.kvfallback.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One RESP value: every RESP2 and RESP3 type, as the decoder reads it and the encoder writes it.
 *
 * <p>Design: immutable values, binary-safe ({@code byte[]} payloads, never decoded to text behind
 * the caller's back). RESP2 has two nulls ({@code $-1} and {@code *-1}) that RESP3 writes alike as
 * {@code _}; {@link Null} keeps which one was meant so a RESP2 client gets the exact bytes Redis
 * would send. Maps and attributes are flat lists of key, value, key, value, ... so order and
 * duplicate keys survive a round trip.
 */
public sealed interface RespValue {

    /** {@code +text}: a status reply such as {@code OK}. */
    record Simple(byte[] bytes) implements RespValue {
        public static final Simple OK = new Simple("OK");
        public static final Simple PONG = new Simple("PONG");
        public static final Simple QUEUED = new Simple("QUEUED");

        public Simple(String text) {
            this(text.getBytes(StandardCharsets.UTF_8));
        }

        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override public boolean equals(Object o) {
            return o instanceof Simple s && Arrays.equals(bytes, s.bytes);
        }
        @Override public int hashCode() {
            return Arrays.hashCode(bytes);
        }
        @Override public String toString() {
            return "+" + text();
        }
    }

    /** {@code -CODE message}: an error reply; {@code bytes} hold {@code CODE message} without the dash. */
    record Error(byte[] bytes) implements RespValue {
        public Error(String text) {
            this(text.getBytes(StandardCharsets.UTF_8));
        }

        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** The first word, e.g. {@code ERR}, {@code WRONGTYPE}: the error's class. */
        public String code() {
            String t = text();
            int sp = t.indexOf(' ');
            return sp < 0 ? t : t.substring(0, sp);
        }

        @Override public boolean equals(Object o) {
            return o instanceof Error e && Arrays.equals(bytes, e.bytes);
        }
        @Override public int hashCode() {
            return Arrays.hashCode(bytes);
        }
        @Override public String toString() {
            return "-" + text();
        }
    }

    /** {@code !len\r\nCODE message}: RESP3 bulk error; written as a simple error to RESP2 clients. */
    record BulkError(byte[] bytes) implements RespValue {
        @Override public boolean equals(Object o) {
            return o instanceof BulkError e && Arrays.equals(bytes, e.bytes);
        }
        @Override public int hashCode() {
            return Arrays.hashCode(bytes);
        }
        @Override public String toString() {
            return "!" + new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** {@code :n}: a signed 64-bit integer. */
    record Int(long value) implements RespValue {
        public static final Int ZERO = new Int(0);
        public static final Int ONE = new Int(1);

        @Override public String toString() {
            return ":" + value;
        }
    }

    /** {@code $len\r\nbytes}: a non-null bulk string. */
    record Bulk(byte[] bytes) implements RespValue {
        public static Bulk of(String text) {
            return new Bulk(text.getBytes(StandardCharsets.UTF_8));
        }

        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override public boolean equals(Object o) {
            return o instanceof Bulk b && Arrays.equals(bytes, b.bytes);
        }
        @Override public int hashCode() {
            return Arrays.hashCode(bytes);
        }
        @Override public String toString() {
            return "$" + text();
        }
    }

    /** {@code =len\r\nfmt:text}: RESP3 verbatim string; a bulk string of {@code text} to RESP2 clients. */
    record Verbatim(String format, byte[] bytes) implements RespValue {
        @Override public boolean equals(Object o) {
            return o instanceof Verbatim v && format.equals(v.format) && Arrays.equals(bytes, v.bytes);
        }
        @Override public int hashCode() {
            return format.hashCode() * 31 + Arrays.hashCode(bytes);
        }
        @Override public String toString() {
            return "=" + format + ":" + new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** A null. RESP3 writes {@code _}; RESP2 writes {@code $-1} or {@code *-1} as Redis would for the command. */
    enum Null implements RespValue {
        /** RESP2 {@code $-1}: a missing string (GET of a missing key). */
        BULK,
        /** RESP2 {@code *-1}: a missing array (BLPOP timeout, aborted EXEC). */
        ARRAY
    }

    /** {@code #t} / {@code #f}: RESP3 boolean; {@code :1} / {@code :0} to RESP2 clients, as Redis does. */
    enum Bool implements RespValue {
        TRUE, FALSE;

        public static Bool of(boolean b) {
            return b ? TRUE : FALSE;
        }
    }

    /** {@code ,d}: RESP3 double; a bulk string of the same text to RESP2 clients, as Redis does. */
    record Double(double value) implements RespValue {
        @Override public String toString() {
            return "," + RespDoubles.format(value);
        }
    }

    /** {@code (digits}: RESP3 big number; a bulk string of the digits to RESP2 clients. */
    record BigNumber(byte[] digits) implements RespValue {
        @Override public boolean equals(Object o) {
            return o instanceof BigNumber b && Arrays.equals(digits, b.digits);
        }
        @Override public int hashCode() {
            return Arrays.hashCode(digits);
        }
        @Override public String toString() {
            return "(" + new String(digits, StandardCharsets.US_ASCII);
        }
    }

    /** {@code *n}: an array (never null: see {@link Null#ARRAY}). */
    record Array(List<RespValue> items) implements RespValue {
        public static final Array EMPTY = new Array(List.of());
    }

    /** {@code %n}: RESP3 map as a flat key, value, ... list; a flat array to RESP2 clients. */
    record Map(List<RespValue> flat) implements RespValue {
    }

    /** {@code ~n}: RESP3 set; an array to RESP2 clients. */
    record Set(List<RespValue> items) implements RespValue {
    }

    /** {@code >n}: RESP3 out-of-band push (pub/sub message, invalidation); an array to RESP2 clients. */
    record Push(List<RespValue> items) implements RespValue {
    }

    /**
     * {@code |n}: RESP3 attributes (a flat key, value, ... list) that precede {@code value};
     * RESP2 clients get {@code value} alone.
     */
    record Attributed(List<RespValue> attributes, RespValue value) implements RespValue {
    }

    /**
     * One element exactly as a server encoded it in RESP{@code protocol}, relayed without being
     * decoded: a reply nested deeper than a decoder's stack goes (a Lua script may return a table
     * thousands of levels deep) or one that carries RESP3 attributes. Written as is to a client of
     * the same protocol, and RESP2 bytes to a RESP3 client; RESP3 bytes cannot be downgraded
     * without decoding them, so a RESP2 client gets an error in their place.
     */
    record Raw(int protocol, byte[] bytes) implements RespValue {
        @Override public boolean equals(Object o) {
            return o instanceof Raw r && protocol == r.protocol && Arrays.equals(bytes, r.bytes);
        }
        @Override public int hashCode() {
            return protocol * 31 + Arrays.hashCode(bytes);
        }
        @Override public String toString() {
            return "raw RESP" + protocol + " (" + bytes.length + " bytes)";
        }
    }
}
