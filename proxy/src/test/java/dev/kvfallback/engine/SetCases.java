package dev.kvfallback.engine;

import dev.kvfallback.testing.Conformance.Case;

import java.util.ArrayList;
import java.util.List;

import static dev.kvfallback.testing.Conformance.c;
import static dev.kvfallback.testing.Conformance.of;

/**
 * Conformance cases for the engine's set commands: every command, its options and its errors.
 * Whole-set replies only for all-integer sets of at most 512 members (Redis's intset, sorted) or
 * single members: other sets come back in Redis's hash order. A hash key stands in for "another
 * type".
 */
final class SetCases {

    private SetCases() {
    }

    static List<Case> cases() {
        return List.of(
                of("sadd and smembers (intset order)",
                        c("SMEMBERS", "nokey"), c("SADD", "s", "3", "1", "2", "10", "-5", "1"), c("SMEMBERS", "s"),
                        c("SADD", "s", "1", "2"), c("SADD", "s", "9223372036854775807", "-9223372036854775808", "0"),
                        c("SMEMBERS", "s"), c("SCARD", "s"), c("SADD", "one", "only member"), c("SMEMBERS", "one"),
                        c("SADD", "bin", "a\r\n\u0000b"), c("SMEMBERS", "bin"), c("SADD", "s"),
                        c("SMEMBERS", "s", "x")),
                of("not quite integers",
                        c("SADD", "s", "01", "1", "-0", "+1", " 2", "1.0"), c("SCARD", "s"), c("SISMEMBER", "s", "01"),
                        c("SISMEMBER", "s", "1"), c("SISMEMBER", "s", "001"),
                        c("SMISMEMBER", "s", "-0", "0", "+1", "1.0"),
                        c("SADD", "t", "9223372036854775808"), c("SMEMBERS", "t")),
                of("sadd wrong type",
                        c("HSET", "h", "f", "v"), c("SADD", "h", "m"), c("SREM", "h", "m"), c("SMEMBERS", "h"),
                        c("SCARD", "h"), c("SISMEMBER", "h", "m"), c("SMISMEMBER", "h", "m")),
                of("srem",
                        c("SREM", "nokey", "a"), c("SADD", "s", "1", "2", "3", "4"), c("SREM", "s", "1", "1", "9"),
                        c("SMEMBERS", "s"), c("SREM", "s", "2", "3", "4"), c("SCARD", "s"), c("SMEMBERS", "s"),
                        c("HSET", "s", "now", "a hash"), c("HGETALL", "s"), c("SREM", "s")),
                of("sismember smismember scard",
                        c("SISMEMBER", "nokey", "a"), c("SMISMEMBER", "nokey", "a", "b"), c("SCARD", "nokey"),
                        c("SADD", "s", "a"), c("SISMEMBER", "s", "a"), c("SISMEMBER", "s", "A"),
                        c("SMISMEMBER", "s", "a", "b", "a"), c("SCARD", "s"),
                        c("SISMEMBER", "s"), c("SMISMEMBER", "s"), c("SCARD", "s", "x")),
                of("spop deterministic forms",
                        c("SPOP", "nokey"), c("SPOP", "nokey", "3"), c("SADD", "one", "x"), c("SPOP", "one"),
                        c("SCARD", "one"),
                        c("SADD", "s", "5", "3", "1"), c("SPOP", "s", "0"), c("SPOP", "s", "3"), c("SCARD", "s"),
                        c("SADD", "s", "5", "3", "1"), c("SPOP", "s", "9223372036854775807"), c("SMEMBERS", "s"),
                        c("SADD", "w", "word"), c("SPOP", "w", "1"), c("HSET", "w", "f", "v")),
                of("spop errors",
                        c("SADD", "s", "1", "2"), c("SPOP", "s", "-1"), c("SPOP", "s", "x"), c("SPOP", "s", "1.5"),
                        c("SPOP", "s", "1", "2"), c("SPOP", "nokey", "-1"), c("SPOP"), c("HSET", "h", "f", "v"),
                        c("SPOP", "h"), c("SPOP", "h", "1"), c("SPOP", "h", "0"), c("SPOP", "h", "x"), c("SCARD", "s")),
                of("srandmember deterministic forms",
                        c("SRANDMEMBER", "nokey"), c("SRANDMEMBER", "nokey", "3"), c("SRANDMEMBER", "nokey", "-3"),
                        c("SADD", "one", "x"), c("SRANDMEMBER", "one"), c("SRANDMEMBER", "one", "1"),
                        c("SRANDMEMBER", "one", "-3"),
                        c("SADD", "s", "30", "10", "20"), c("SRANDMEMBER", "s", "0"), c("SRANDMEMBER", "s", "3"),
                        c("SRANDMEMBER", "s", "100"), c("SRANDMEMBER", "s", "9223372036854775807"), c("SCARD", "s")),
                of("srandmember errors",
                        c("SADD", "s", "1"), c("SRANDMEMBER", "s", "x"), c("SRANDMEMBER", "s", "-9223372036854775808"),
                        c("SRANDMEMBER", "s", "1", "2"), c("SRANDMEMBER", "nokey", "x"), c("SRANDMEMBER"),
                        c("HSET", "h", "f", "v"), c("SRANDMEMBER", "h"), c("SRANDMEMBER", "h", "2"),
                        c("SRANDMEMBER", "h", "x")),
                of("smove",
                        c("SMOVE", "nokey", "d", "m"), c("SADD", "src", "1", "2", "3"), c("SMOVE", "src", "d", "2"),
                        c("SMEMBERS", "src"), c("SMEMBERS", "d"), c("SMOVE", "src", "d", "9"),
                        c("SMOVE", "src", "d", "1"),
                        c("SMOVE", "src", "d", "3"), c("SCARD", "src"), c("SMEMBERS", "d"), c("SMOVE", "d", "d", "1"),
                        c("SMOVE", "d", "d", "7"), c("SMEMBERS", "d"), c("SADD", "d2", "1"), c("SMOVE", "d", "d2", "1"),
                        c("SMEMBERS", "d2"), c("SMEMBERS", "d")),
                of("smove wrong type",
                        c("HSET", "h", "f", "v"), c("SADD", "s", "a"), c("SMOVE", "nokey", "h", "a"),
                        c("SMOVE", "s", "h", "a"),
                        c("SMOVE", "s", "h", "missing"), c("SMOVE", "h", "s", "a"), c("SMOVE", "h", "nokey", "a"),
                        c("SMEMBERS", "s"), c("SMOVE", "s", "d"), c("SMOVE", "s", "d", "a", "b")),
                of("sinter sunion sdiff",
                        c("SADD", "a", "1", "2", "3", "4"), c("SADD", "b", "3", "4", "5"), c("SADD", "c", "4", "6"),
                        c("SINTER", "a", "b"), c("SINTER", "a", "b", "c"), c("SINTER", "c", "b", "a"), c("SINTER", "a"),
                        c("SINTER", "a", "a"), c("SUNION", "a", "b", "c"), c("SUNION", "c"), c("SDIFF", "a", "b"),
                        c("SDIFF", "a", "b", "c"), c("SDIFF", "b", "a"), c("SDIFF", "a", "a"), c("SDIFF", "c"),
                        c("SINTER", "a", "nokey"), c("SINTER", "nokey", "a"), c("SUNION", "nokey", "b"),
                        c("SUNION", "nokey"),
                        c("SDIFF", "nokey", "a"), c("SDIFF", "a", "nokey"), c("SADD", "w", "x", "4"),
                        c("SINTER", "c", "w"),
                        c("SDIFF", "w", "a"), c("SINTER"), c("SUNION"), c("SDIFF")),
                of("set algebra wrong type",
                        c("HSET", "h", "f", "v"), c("SADD", "a", "1"), c("SINTER", "a", "h"), c("SINTER", "nokey", "h"),
                        c("SINTER", "h", "nokey"), c("SUNION", "a", "h"), c("SDIFF", "a", "h"),
                        c("SDIFF", "nokey", "h"),
                        c("SINTERSTORE", "d", "a", "h"), c("SUNIONSTORE", "d", "h"), c("SDIFFSTORE", "d", "nokey", "h"),
                        c("SINTERSTORE", "a", "nokey", "h"), c("SMEMBERS", "a"), c("SINTERCARD", "2", "a", "h"),
                        c("SINTERCARD", "2", "nokey", "h")),
                of("store commands",
                        c("SADD", "a", "1", "2", "3"), c("SADD", "b", "2", "3", "4"),
                        c("SINTERSTORE", "d", "a", "b"), c("SMEMBERS", "d"), c("SUNIONSTORE", "d", "a", "b"),
                        c("SMEMBERS", "d"),
                        c("SDIFFSTORE", "d", "a", "b"), c("SMEMBERS", "d"), c("SDIFFSTORE", "d", "a", "a"),
                        c("SCARD", "d"),
                        c("HSET", "d", "f", "v"), c("SUNIONSTORE", "d", "a"), c("SMEMBERS", "d"),
                        c("SINTERSTORE", "d", "a", "nokey"), c("HSET", "d", "f", "v"), c("HSET", "h", "f", "v"),
                        c("SINTERSTORE", "h", "a", "b"), c("SMEMBERS", "h"), c("SUNIONSTORE", "h", "nokey"),
                        c("HSET", "h", "f", "v"),
                        c("SDIFFSTORE", "a", "a", "b"), c("SMEMBERS", "a"), c("SINTERSTORE", "b", "b", "b"),
                        c("SMEMBERS", "b"),
                        c("SINTERSTORE", "d"), c("SUNIONSTORE", "d"), c("SDIFFSTORE", "d")),
                of("sintercard",
                        c("SADD", "a", "1", "2", "3", "4"), c("SADD", "b", "2", "3", "4", "5"),
                        c("SINTERCARD", "1", "a"), c("SINTERCARD", "2", "a", "b"),
                        c("SINTERCARD", "2", "a", "b", "LIMIT", "2"),
                        c("SINTERCARD", "2", "a", "b", "limit", "0"), c("SINTERCARD", "2", "a", "b", "LIMIT", "100"),
                        c("SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "3"), c("SINTERCARD", "2", "a", "nokey"),
                        c("SINTERCARD", "1", "nokey"), c("SINTERCARD", "2", "a", "a")),
                of("sintercard errors",
                        c("SADD", "a", "1"), c("SINTERCARD", "0", "a"), c("SINTERCARD", "-1", "a"),
                        c("SINTERCARD", "x", "a"),
                        c("SINTERCARD", "01", "a"), c("SINTERCARD", "2", "a"),
                        c("SINTERCARD", "99999999999999999999", "a"),
                        c("SINTERCARD", "1", "a", "LIMIT"), c("SINTERCARD", "1", "a", "LIMIT", "-1"),
                        c("SINTERCARD", "1", "a", "LIMIT", "x"), c("SINTERCARD", "1", "a", "LIMIT", "1", "x"),
                        c("SINTERCARD", "1", "a", "b"), c("SINTERCARD", "1", "a", "WITHSCORES"), c("SINTERCARD", "1"),
                        c("SINTERCARD")),
                of("sscan intset",
                        c("SSCAN", "nokey", "0"), c("SADD", "s", "30", "10", "20", "-1", "100"), c("SSCAN", "s", "0"),
                        c("SSCAN", "s", "0", "COUNT", "1"), c("SSCAN", "s", "0", "MATCH", "1*"),
                        c("SSCAN", "s", "0", "match", "*"),
                        c("SSCAN", "s", "77"), c("SSCAN", "s", "-1"), c("SSCAN", "s", ""),
                        c("SSCAN", "s", "0", "MATCH", "-?"), c("SSCAN", "s", "\u0000abc"),
                        c("SSCAN", "s", "0", "count", "3", "match", "[12]*"), c("SADD", "one", "word"),
                        c("SSCAN", "one", "0"),
                        c("SSCAN", "one", "0", "MATCH", "w*")),
                of("sscan errors",
                        c("SADD", "s", "1"), c("SSCAN", "s", "x"), c("SSCAN", "s", " 0"), c("SSCAN", "s", "0.5"),
                        c("SSCAN", "s", "99999999999999999999"), c("SSCAN", "s", "0", "COUNT", "0"),
                        c("SSCAN", "s", "0", "COUNT", "x"), c("SSCAN", "s", "0", "COUNT"),
                        c("SSCAN", "s", "0", "MATCH"),
                        c("SSCAN", "s", "0", "TYPE", "set"), c("SSCAN", "s", "0", "foo", "bar"),
                        c("SSCAN", "nokey", "0", "COUNT", "0"), c("SSCAN", "nokey", "bad"), c("SSCAN", "s"),
                        c("HSET", "h", "f", "v"), c("SSCAN", "h", "0"), c("SSCAN", "h", "0", "COUNT", "0"),
                        c("SSCAN", "h", "x")),
                of("large sets", large()));
    }

    /** Sets past the intset limit (or with non-integers): only replies that do not depend on order. */
    private static String[][] large() {
        List<String> many = new ArrayList<>(List.of("SADD", "many"));
        for (int i = 0; i < 600; i++) {
            many.add(Integer.toString(i * 3));
        }
        List<String> edge = new ArrayList<>(List.of("SADD", "edge"));
        for (int i = 512; i > 0; i--) {
            edge.add(Integer.toString(i));
        }
        return new String[][] {
                many.toArray(new String[0]), c("SCARD", "many"), c("SISMEMBER", "many", "1797"),
                c("SISMEMBER", "many", "1798"), c("SREM", "many", "0", "3", "4"), c("SCARD", "many"),
                edge.toArray(new String[0]), c("SSCAN", "edge", "0", "MATCH", "51?"), c("SINTER", "edge", "many"),
                c("SINTERCARD", "2", "edge", "many"), c("SINTERCARD", "2", "edge", "many", "LIMIT", "10"),
                c("SINTERSTORE", "d", "edge", "many"), c("SMEMBERS", "d"), c("SDIFFSTORE", "d", "many", "edge"),
                c("SCARD", "d"), c("SUNIONSTORE", "d", "many", "edge"), c("SCARD", "d"),
                c("SRANDMEMBER", "edge", "1000"), c("SADD", "edge", "513"), c("SCARD", "edge"),
                c("SSCAN", "many", "0", "MATCH", "nothing", "COUNT", "10000")};
    }
}
