package dev.kvfallback.engine;

import dev.kvfallback.testing.Conformance.Case;

import java.util.ArrayList;
import java.util.List;

import static dev.kvfallback.testing.Conformance.c;
import static dev.kvfallback.testing.Conformance.of;

/**
 * Conformance cases for the engine's hash commands: every command, its options and its errors.
 * Whole-hash replies only for small hashes (listpack: insertion order); a set key stands in for
 * "another type".
 */
final class HashCases {

    private HashCases() {
    }

    static List<Case> cases() {
        return List.of(
                of("hset and hget",
                        c("HSET", "h", "f", "v"), c("HGET", "h", "f"), c("HGET", "h", "nope"), c("HGET", "nokey", "f"),
                        c("HSET", "h", "f", "v2", "g", "w"), c("HSET", "h", "g", "x", "g", "y", "new", "z"),
                        c("HGETALL", "h"), c("HSET", "h", "", ""), c("HGET", "h", ""),
                        c("HSET", "h", "ünï cödé", "bytes\r\n\u0000"), c("HGET", "h", "ünï cödé")),
                of("hset arity",
                        c("HSET", "h", "f"), c("HSET", "h", "a", "b", "c"), c("HSET", "h"), c("HSET"),
                        c("HMSET", "h", "a", "b", "c"), c("HMSET", "h", "a"), c("HLEN", "h")),
                of("hset wrong type",
                        c("SADD", "s", "m"), c("HSET", "s", "f", "v"), c("HMSET", "s", "f", "v"),
                        c("HSET", "s", "f"), c("HGET", "s", "f"), c("HSETNX", "s", "f", "v")),
                of("hmset",
                        c("HMSET", "h", "a", "1", "b", "2"), c("HMSET", "h", "a", "3"), c("HGETALL", "h")),
                of("hsetnx",
                        c("HSETNX", "h", "f", "v"), c("HSETNX", "h", "f", "w"), c("HGET", "h", "f"),
                        c("HSETNX", "h", "g", "w"), c("HGETALL", "h"), c("HSETNX", "h", "f"), c("HSETNX", "h", "f", "v", "x")),
                of("hmget",
                        c("HMGET", "nokey", "a", "b"), c("HSET", "h", "a", "1", "b", "2"),
                        c("HMGET", "h", "a", "x", "b", "a"), c("HMGET", "h"),
                        c("SADD", "s", "m"), c("HMGET", "s", "a")),
                of("hgetall order",
                        c("HGETALL", "nokey"), c("HSET", "h", "c", "1", "a", "2", "b", "3"), c("HGETALL", "h"),
                        c("HSET", "h", "a", "updated"), c("HGETALL", "h"), c("HDEL", "h", "c"), c("HSET", "h", "c", "back"),
                        c("HGETALL", "h"), c("HKEYS", "h"), c("HVALS", "h"),
                        c("SADD", "s", "m"), c("HGETALL", "s"), c("HGETALL", "h", "extra")),
                of("hdel",
                        c("HDEL", "nokey", "f"), c("HSET", "h", "a", "1", "b", "2", "c", "3"),
                        c("HDEL", "h", "a", "a", "x"), c("HDEL", "h", "b", "c"), c("HLEN", "h"), c("HGETALL", "h"),
                        c("SADD", "h", "now a set"), c("SMEMBERS", "h"), c("HDEL", "h", "f"), c("HDEL", "h")),
                of("hexists hlen hstrlen",
                        c("HEXISTS", "nokey", "f"), c("HLEN", "nokey"), c("HSTRLEN", "nokey", "f"),
                        c("HSET", "h", "f", "hello", "e", ""), c("HEXISTS", "h", "f"), c("HEXISTS", "h", "g"),
                        c("HLEN", "h"), c("HSTRLEN", "h", "f"), c("HSTRLEN", "h", "e"), c("HSTRLEN", "h", "g"),
                        c("HSET", "h", "n", "-12345"), c("HSTRLEN", "h", "n"),
                        c("SADD", "s", "m"), c("HEXISTS", "s", "f"), c("HLEN", "s"), c("HSTRLEN", "s", "f"),
                        c("HLEN", "h", "x"), c("HEXISTS", "h"), c("HSTRLEN", "h")),
                of("hkeys hvals",
                        c("HKEYS", "nokey"), c("HVALS", "nokey"), c("HSET", "h", "z", "1", "y", "2", "x", "3"),
                        c("HKEYS", "h"), c("HVALS", "h"),
                        c("SADD", "s", "m"), c("HKEYS", "s"), c("HVALS", "s"), c("HKEYS", "h", "x")),
                of("hincrby",
                        c("HINCRBY", "h", "n", "5"), c("HINCRBY", "h", "n", "-7"), c("HINCRBY", "h", "n", "0"),
                        c("HSET", "h", "s", "abc", "f", "1.5", "p", "01", "sp", " 1", "big", "9223372036854775807"),
                        c("HINCRBY", "h", "s", "1"), c("HINCRBY", "h", "f", "1"), c("HINCRBY", "h", "p", "1"),
                        c("HINCRBY", "h", "sp", "1"), c("HINCRBY", "h", "big", "1"), c("HINCRBY", "h", "big", "0"),
                        c("HINCRBY", "h", "big", "-9223372036854775807"), c("HSET", "h", "small", "-9223372036854775807"),
                        c("HINCRBY", "h", "small", "-1"), c("HINCRBY", "h", "small", "-1"),
                        c("HINCRBY", "h", "n", "x"), c("HINCRBY", "h", "n", "1.0"), c("HINCRBY", "h", "n", "01"),
                        c("HINCRBY", "h", "n", "9223372036854775808"), c("HINCRBY", "h", "n", "-9223372036854775808"),
                        c("HINCRBY", "h", "n", " 1"), c("HINCRBY", "h", "n", ""), c("HGETALL", "h"),
                        c("SADD", "s", "m"), c("HINCRBY", "s", "f", "1"), c("HINCRBY", "s", "f", "x"), c("HINCRBY", "h", "n")),
                of("hincrbyfloat formats like long double",
                        c("HINCRBYFLOAT", "h", "f", "1.5"), c("HINCRBYFLOAT", "h", "f", "0.1"),
                        c("HINCRBYFLOAT", "h", "g", "10.5"), c("HINCRBYFLOAT", "h", "g", "0.1"),
                        c("HINCRBYFLOAT", "h", "i", "3"), c("HINCRBYFLOAT", "h", "i", "-3"),
                        c("HINCRBYFLOAT", "h", "j", "5.0e3"), c("HINCRBYFLOAT", "h", "j", "2.0e-3"),
                        c("HINCRBYFLOAT", "h", "k", "1.23456789012345678901"), c("HINCRBYFLOAT", "h", "k", "0"),
                        c("HINCRBYFLOAT", "h", "l", "0.1"), c("HINCRBYFLOAT", "h", "l", "0.2"),
                        c("HINCRBYFLOAT", "h", "m", "-0.0"), c("HINCRBYFLOAT", "h", "m", "-1e-20"),
                        c("HINCRBYFLOAT", "h", "n", "1e-17"), c("HINCRBYFLOAT", "h", "n", "-3e-17"),
                        c("HINCRBYFLOAT", "h", "t", "0.000003814697265625"), c("HINCRBYFLOAT", "h", "t", "0.000011444091796875"),
                        c("HINCRBYFLOAT", "h", "u", "1.0000000000000000001"), c("HINCRBYFLOAT", "h", "v", "123456789012345678901234567890"),
                        c("HINCRBYFLOAT", "h", "w", "9007199254740993"), c("HINCRBYFLOAT", "h", "w", "0.5"),
                        c("HINCRBYFLOAT", "h", "x", "18446744073709551615"), c("HINCRBYFLOAT", "h", "x", "1"),
                        c("HGETALL", "h")),
                of("hincrbyfloat input forms",
                        c("HINCRBYFLOAT", "h", "a", ".5"), c("HINCRBYFLOAT", "h", "a", "5."), c("HINCRBYFLOAT", "h", "a", "+5"),
                        c("HINCRBYFLOAT", "h", "a", "1E2"), c("HINCRBYFLOAT", "h", "a", "1e+2"), c("HINCRBYFLOAT", "h", "a", "1.e-1"),
                        c("HINCRBYFLOAT", "h", "b", "0x10"), c("HINCRBYFLOAT", "h", "b", "0x1p-3"), c("HINCRBYFLOAT", "h", "b", "0X.8P1"),
                        c("HINCRBYFLOAT", "h", "b", "-0xA.8"), c("HINCRBYFLOAT", "h", "c", "0e999999999999"),
                        c("HINCRBYFLOAT", "h", "c", "000000000000000000000000001"), c("HINCRBYFLOAT", "h", "d", "1\u0000junk"),
                        c("HINCRBYFLOAT", "h", "e", "\u0000"),
                        c("HINCRBYFLOAT", "h", "a", "1e"), c("HINCRBYFLOAT", "h", "a", "e1"), c("HINCRBYFLOAT", "h", "a", "."),
                        c("HINCRBYFLOAT", "h", "a", "0x"), c("HINCRBYFLOAT", "h", "a", "0x1p"), c("HINCRBYFLOAT", "h", "a", "1.2.3"),
                        c("HINCRBYFLOAT", "h", "a", " 1"), c("HINCRBYFLOAT", "h", "a", "1 "), c("HINCRBYFLOAT", "h", "a", ""),
                        c("HINCRBYFLOAT", "h", "a", "abc"), c("HINCRBYFLOAT", "h", "a", "nan"), c("HINCRBYFLOAT", "h", "a", "-nan"),
                        c("HINCRBYFLOAT", "h", "a", "inf"), c("HINCRBYFLOAT", "h", "a", "-Infinity"), c("HINCRBYFLOAT", "h", "a", "infinit"),
                        c("HINCRBYFLOAT", "h", "a", "1e5000"), c("HINCRBYFLOAT", "h", "a", "1e-5000"),
                        c("HINCRBYFLOAT", "h", "a", "1e-4951"), c("HINCRBYFLOAT", "h", "a", "0x1p-16446"),
                        c("HINCRBYFLOAT", "h", "a", "0x1p16384"), c("HINCRBYFLOAT", "h", "a", "1e99999999999999999999"),
                        c("HSET", "h", "nul", "1\u0000"), c("HINCRBYFLOAT", "h", "nul", "1"), c("HINCRBY", "h", "nul", "1"),
                        c("HGETALL", "h")),
                of("hincrbyfloat length limit",
                        c("HINCRBYFLOAT", "h", "a", "1." + "0".repeat(5117)), c("HINCRBYFLOAT", "h", "a", "1." + "0".repeat(5118)),
                        c("HSET", "h", "long", "1." + "0".repeat(5117)), c("HINCRBYFLOAT", "h", "long", "1"),
                        c("HSET", "h", "longer", "1." + "0".repeat(5118)), c("HINCRBYFLOAT", "h", "longer", "1"),
                        c("HGET", "h", "a"), c("HGET", "h", "long")),
                of("hincrbyfloat extremes",
                        c("HINCRBYFLOAT", "h", "tiny", "1e-4940"), c("HINCRBYFLOAT", "h", "tiny", "3.6e-4951"),
                        c("HINCRBYFLOAT", "h", "tiny", "0x1p-16445"), c("HINCRBYFLOAT", "h", "huge", "1e400"),
                        c("HINCRBYFLOAT", "h", "huge", "1e400"), c("HSTRLEN", "h", "huge"),
                        c("HINCRBYFLOAT", "h", "max", "1.1e4932"), c("HSTRLEN", "h", "max"),
                        c("HINCRBYFLOAT", "h", "max", "1.1e4932"), c("HINCRBYFLOAT", "h", "max", "-1.1e4932"),
                        c("HINCRBYFLOAT", "h", "min", "-1.1e4932"), c("HINCRBYFLOAT", "h", "min", "-1.1e4932"),
                        c("HGET", "h", "max"), c("HGET", "h", "min")),
                of("hincrbyfloat stored values",
                        c("HSET", "h", "s", "abc", "i", "inf", "sp", "1 ", "e", "1e3", "x", "0x10", "z", "", "n", "-inf"),
                        c("HINCRBYFLOAT", "h", "s", "1"), c("HINCRBYFLOAT", "h", "i", "1"), c("HINCRBYFLOAT", "h", "n", "-1"),
                        c("HINCRBYFLOAT", "h", "sp", "1"), c("HINCRBYFLOAT", "h", "e", "1"), c("HINCRBYFLOAT", "h", "x", "1"),
                        c("HINCRBYFLOAT", "h", "z", "1"), c("HINCRBY", "h", "e", "1"), c("HGETALL", "h"),
                        c("SADD", "s", "m"), c("HINCRBYFLOAT", "s", "f", "1"), c("HINCRBYFLOAT", "s", "f", "x"),
                        c("HINCRBYFLOAT", "s", "f", "inf"), c("HINCRBYFLOAT", "h", "f"), c("HINCRBYFLOAT", "h", "f", "1", "2")),
                of("hrandfield deterministic forms",
                        c("HRANDFIELD", "nokey"), c("HRANDFIELD", "nokey", "5"), c("HRANDFIELD", "nokey", "-5", "WITHVALUES"),
                        c("HSET", "one", "f", "v"), c("HRANDFIELD", "one"), c("HRANDFIELD", "one", "1"),
                        c("HRANDFIELD", "one", "1", "withvalues"), c("HRANDFIELD", "one", "-3"),
                        c("HRANDFIELD", "one", "-3", "WITHVALUES"), c("HRANDFIELD", "one", "0"), c("HRANDFIELD", "one", "0", "withvalues"),
                        c("HSET", "h", "a", "1", "b", "2", "c", "3"), c("HRANDFIELD", "h", "3"), c("HRANDFIELD", "h", "100"),
                        c("HRANDFIELD", "h", "3", "WITHVALUES"), c("HRANDFIELD", "h", "9223372036854775807"),
                        c("HRANDFIELD", "h", "4611686018427387903", "withvalues")),
                of("hrandfield errors",
                        c("HSET", "h", "a", "1"), c("HRANDFIELD", "h", "x"), c("HRANDFIELD", "h", "1.5"),
                        c("HRANDFIELD", "h", "-9223372036854775808"), c("HRANDFIELD", "h", "-9223372036854775808", "withvalues"),
                        c("HRANDFIELD", "h", "4611686018427387904", "withvalues"), c("HRANDFIELD", "h", "-4611686018427387904", "withvalues"),
                        c("HRANDFIELD", "h", "4611686018427387904"), c("HRANDFIELD", "h", "1", "withvalue"),
                        c("HRANDFIELD", "h", "1", "withvalues", "x"), c("HRANDFIELD", "h", "x", "y"), c("HRANDFIELD"),
                        c("SADD", "s", "m"), c("HRANDFIELD", "s"), c("HRANDFIELD", "s", "1"), c("HRANDFIELD", "s", "x"),
                        c("HRANDFIELD", "s", "1", "nope"), c("HRANDFIELD", "nokey", "x")),
                of("hscan small hash",
                        c("HSCAN", "nokey", "0"), c("HSET", "h", "a1", "1", "b1", "2", "a2", "3"), c("HSCAN", "h", "0"),
                        c("HSCAN", "h", "0", "COUNT", "1"), c("HSCAN", "h", "0", "MATCH", "a*"), c("HSCAN", "h", "0", "match", "*"),
                        c("HSCAN", "h", "0", "match", "zz*", "count", "1000"), c("HSCAN", "h", "123"), c("HSCAN", "h", "-1"),
                        c("HSCAN", "h", ""), c("HSCAN", "h", "+7"), c("HSCAN", "h", "18446744073709551615"),
                        c("HSCAN", "h", "0", "MATCH", "x", "MATCH", "a?"), c("HSCAN", "h", "0", "count", "5", "count", "1"),
                        c("HSCAN", "h", "1\u0000x"), c("HSCAN", "h", "\u0000")),
                of("hscan errors",
                        c("HSET", "h", "a", "1"), c("HSCAN", "h", "x"), c("HSCAN", "h", " 1"), c("HSCAN", "h", "1 "),
                        c("HSCAN", "h", "18446744073709551616"), c("HSCAN", "h", "+"), c("HSCAN", "h", "-"), c("HSCAN", "h", "0x1"),
                        c("HSCAN", "h", "0", "COUNT", "0"), c("HSCAN", "h", "0", "COUNT", "-1"), c("HSCAN", "h", "0", "COUNT", "x"),
                        c("HSCAN", "h", "0", "COUNT"), c("HSCAN", "h", "0", "MATCH"), c("HSCAN", "h", "0", "TYPE", "hash"),
                        c("HSCAN", "h", "0", "NOVALUES"), c("HSCAN", "h", "0", "bogus", "1"),
                        c("HSCAN", "nokey", "0", "COUNT", "0"), c("HSCAN", "nokey", "x"), c("HSCAN", "h"),
                        c("SADD", "s", "m"), c("HSCAN", "s", "0"), c("HSCAN", "s", "0", "COUNT", "0"), c("HSCAN", "s", "x")),
                of("large hash", large()),
                of("hash with a long value",
                        c("HSET", "h", "f", "x".repeat(65)), c("HSCAN", "h", "0"), c("HGETALL", "h"), c("HSTRLEN", "h", "f"), c("HRANDFIELD", "h", "5", "withvalues")));
    }

    /** A hash past the listpack limit: only replies that do not depend on its order. */
    private static String[][] large() {
        List<String> hset = new ArrayList<>(List.of("HSET", "big"));
        for (int i = 0; i < 200; i++) {
            hset.add("field:" + i);
            hset.add(Integer.toString(i));
        }
        return new String[][] {
                hset.toArray(new String[0]), c("HLEN", "big"), c("HGET", "big", "field:150"),
                c("HINCRBY", "big", "field:199", "1"), c("HINCRBYFLOAT", "big", "field:0", "0.5"),
                c("HMGET", "big", "field:1", "nope", "field:2"), c("HDEL", "big", "field:3", "field:4"),
                c("HEXISTS", "big", "field:4"), c("HLEN", "big"), c("HSCAN", "big", "0", "MATCH", "nothing*", "COUNT", "1000"),
                c("HRANDFIELD", "big", "0")};
    }
}
