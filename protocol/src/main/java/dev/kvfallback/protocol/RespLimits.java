package dev.kvfallback.protocol;

/**
 * Size limits the decoders enforce, so that no client or server can make the proxy buffer or
 * allocate without bound (design invariant 6).
 *
 * <p>The request limits mirror Redis 7.0 ({@code networking.c}): {@code proto-max-bulk-len}
 * 512 MiB, {@code PROTO_INLINE_MAX_SIZE} 64 KiB for an unterminated inline request or count line,
 * a multibulk count up to {@code INT_MAX}, and 10 arguments / 16384-byte arguments for a client that
 * still has to authenticate. A large count never preallocates more than 1024 argument slots: the
 * array grows as arguments actually arrive, as Redis's {@code argv_len} does.
 *
 * <p>The two generic limits bound the reply decoder ({@link RespValueDecoder}):
 * <ul>
 *   <li>{@code maxAggregateLength} 16,777,216 (2^24) elements per aggregate: far above any reply a
 *       server sends in practice (an {@code LRANGE} of a 10-million-element list still passes) yet
 *       small enough that a corrupt count is caught at once instead of after gigabytes. A map of
 *       {@code n} pairs counts as {@code 2n} elements. Lists never preallocate more than 1024 slots,
 *       so the limit is a sanity bound, not a memory reservation.</li>
 *   <li>{@code maxNestingDepth} 64 aggregate levels: Redis's own commands nest at most about six
 *       deep (XREADGROUP: array, array, array, array, map), and 64 keeps the recursive encoder's
 *       stack use trivially small while leaving room for nested Lua tables.</li>
 * </ul>
 *
 * @param maxBulkLength largest bulk string ({@code $n}), default 512 MiB; at most {@code Integer.MAX_VALUE - 8}
 * @param maxInlineLength bytes buffered without a line end before "too big" errors, default 64 KiB
 * @param maxArrayLength largest request multibulk count ({@code *n}), default {@code Integer.MAX_VALUE}
 * @param maxAggregateLength largest reply aggregate, in elements
 * @param maxNestingDepth deepest reply aggregate nesting
 * @param unauthenticatedMaxArrayLength largest request count before authentication, default 10
 * @param unauthenticatedMaxBulkLength largest request argument before authentication, default 16384
 * @param maxRequestBytes most bytes one request may take (Redis's {@code client-query-buffer-limit},
 *        1 GiB): its arguments' lengths plus {@link #ARGUMENT_OVERHEAD} for each; past it the client
 *        is closed without a reply, as Redis closes it
 */
public record RespLimits(
        int maxBulkLength,
        int maxInlineLength,
        int maxArrayLength,
        int maxAggregateLength,
        int maxNestingDepth,
        int unauthenticatedMaxArrayLength,
        int unauthenticatedMaxBulkLength,
        long maxRequestBytes) {

    /** What one argument costs beyond its bytes (array header, reference): so a million empty arguments count too. */
    public static final int ARGUMENT_OVERHEAD = 24;

    /** The largest array the JVM reliably allocates; a bulk payload becomes one {@code byte[]}. */
    public static final int MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;

    private static final long DEFAULTS_REQUEST_BYTES = 1L << 30;

    private static final RespLimits DEFAULTS = new RespLimits(
            512 * 1024 * 1024, 64 * 1024, Integer.MAX_VALUE, 1 << 24, 64, 10, 16384, DEFAULTS_REQUEST_BYTES);

    public RespLimits {
        if (maxBulkLength < 0 || maxBulkLength > MAX_ARRAY_SIZE) {
            throw new IllegalArgumentException("maxBulkLength must be in [0, " + MAX_ARRAY_SIZE + "]: " + maxBulkLength);
        }
        requirePositive("maxInlineLength", maxInlineLength);
        requirePositive("maxArrayLength", maxArrayLength);
        requirePositive("maxAggregateLength", maxAggregateLength);
        requirePositive("maxNestingDepth", maxNestingDepth);
        requirePositive("unauthenticatedMaxArrayLength", unauthenticatedMaxArrayLength);
        if (unauthenticatedMaxBulkLength < 0) {
            throw new IllegalArgumentException("unauthenticatedMaxBulkLength must be >= 0: " + unauthenticatedMaxBulkLength);
        }
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("maxRequestBytes must be positive: " + maxRequestBytes);
        }
    }

    /** Limits with the default request size (1 GiB). */
    public RespLimits(int maxBulkLength, int maxInlineLength, int maxArrayLength, int maxAggregateLength,
                      int maxNestingDepth, int unauthenticatedMaxArrayLength, int unauthenticatedMaxBulkLength) {
        this(maxBulkLength, maxInlineLength, maxArrayLength, maxAggregateLength, maxNestingDepth,
                unauthenticatedMaxArrayLength, unauthenticatedMaxBulkLength, DEFAULTS_REQUEST_BYTES);
    }

    /** Redis 7.0's limits, plus the reply-decoder bounds described above. */
    public static RespLimits defaults() {
        return DEFAULTS;
    }

    /** These limits with another {@code proto-max-bulk-len}. */
    public RespLimits withMaxBulkLength(int bytes) {
        return new RespLimits(bytes, maxInlineLength, maxArrayLength, maxAggregateLength, maxNestingDepth,
                unauthenticatedMaxArrayLength, unauthenticatedMaxBulkLength, maxRequestBytes);
    }

    /** These limits with another largest request multibulk count. */
    public RespLimits withMaxArrayLength(int elements) {
        return new RespLimits(maxBulkLength, maxInlineLength, elements, maxAggregateLength, maxNestingDepth,
                unauthenticatedMaxArrayLength, unauthenticatedMaxBulkLength, maxRequestBytes);
    }

    /** These limits with another longest inline request or count line. */
    public RespLimits withMaxInlineLength(int bytes) {
        return new RespLimits(maxBulkLength, bytes, maxArrayLength, maxAggregateLength, maxNestingDepth,
                unauthenticatedMaxArrayLength, unauthenticatedMaxBulkLength, maxRequestBytes);
    }

    /** These limits with another largest request, in bytes. */
    public RespLimits withMaxRequestBytes(long bytes) {
        return new RespLimits(maxBulkLength, maxInlineLength, maxArrayLength, maxAggregateLength, maxNestingDepth,
                unauthenticatedMaxArrayLength, unauthenticatedMaxBulkLength, bytes);
    }

    /** These limits with another largest reply aggregate. */
    public RespLimits withMaxAggregateLength(int elements) {
        return new RespLimits(maxBulkLength, maxInlineLength, maxArrayLength, elements, maxNestingDepth,
                unauthenticatedMaxArrayLength, unauthenticatedMaxBulkLength, maxRequestBytes);
    }

    /** These limits with another deepest reply nesting. */
    public RespLimits withMaxNestingDepth(int levels) {
        return new RespLimits(maxBulkLength, maxInlineLength, maxArrayLength, maxAggregateLength, levels,
                unauthenticatedMaxArrayLength, unauthenticatedMaxBulkLength, maxRequestBytes);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
