package dev.kvfallback.engine;

import dev.kvfallback.testing.Conformance.Case;

import java.util.ArrayList;
import java.util.List;

import static dev.kvfallback.testing.Conformance.c;
import static dev.kvfallback.testing.Conformance.of;

/**
 * Conformance cases for the engine's string commands: every command, its options and its errors.
 * Other types come from LPUSH; TTLs are read with TTL (seconds) and EXPIRETIME/PEXPIRETIME
 * (absolute, so exact).
 */
final class StringCases {

    /** 2100-01-01T00:00:00Z, for EXAT/PXAT in the future. */
    private static final String FUTURE_S = "4102444800";
    private static final String FUTURE_MS = "4102444800123";
    private static final String MAX = "9223372036854775807";
    private static final String MIN = "-9223372036854775808";

    private StringCases() {
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.addAll(getAndSet());
        cases.addAll(setExpiry());
        cases.addAll(setVariants());
        cases.addAll(multi());
        cases.addAll(lengthAndRanges());
        cases.addAll(counters());
        cases.addAll(floats());
        cases.addAll(lcs());
        return cases;
    }

    private static List<Case> getAndSet() {
        return List.of(
                of("get", c("GET", "missing"), c("GET", "a", "b"), c("GET")),
                of("get wrong type", c("LPUSH", "l", "a"), c("GET", "l")),
                of("set and get",
                        c("SET", "k", "v"), c("GET", "k"), c("SET", "k", "v2"), c("GET", "k"),
                        c("SET", "", ""), c("GET", ""), c("SET", "u", "h\u00e9llo \u2603"), c("GET", "u"),
                        c("SET", "n", "010"), c("GET", "n"), c("SET", "k"), c("SET")),
                of("set over another type", c("LPUSH", "l", "a"), c("SET", "l", "v"), c("GET", "l")),
                of("set nx xx",
                        c("SET", "k", "v", "NX"), c("SET", "k", "w", "nx"), c("GET", "k"),
                        c("SET", "k", "x", "XX"), c("GET", "k"), c("SET", "m", "v", "xx"), c("GET", "m"),
                        c("SET", "k", "y", "NX", "NX"), c("SET", "k", "y", "XX", "XX"), c("GET", "k"),
                        c("SET", "k", "v", "NX", "XX"), c("SET", "k", "v", "XX", "NX"),
                        c("LPUSH", "l", "a"), c("SET", "l", "v", "NX"), c("SET", "l", "v", "XX"), c("GET", "l")),
                of("set get",
                        c("SET", "k", "v", "GET"), c("SET", "k", "w", "get"), c("GET", "k"),
                        c("SET", "k", "x", "NX", "GET"), c("GET", "k"), c("SET", "m", "x", "XX", "GET"),
                        c("GET", "m"), c("SET", "k", "y", "GET", "XX"), c("GET", "k"),
                        c("SET", "n", "z", "GET", "NX"), c("GET", "n"), c("SET", "k", "a", "GET", "GET"),
                        c("LPUSH", "l", "a"), c("SET", "l", "v", "GET"), c("SET", "l", "v", "NX", "GET"),
                        c("SET", "l", "v", "XX", "GET"), c("SET", "l", "v", "GET", "EX", "0"),
                        c("EXISTS", "l"), c("SET", "l", "v", "GET", "EX", "10", "NX", "XX")),
                of("set syntax",
                        c("SET", "k", "v", "foo"), c("SET", "k", "v", "PERSIST"), c("SET", "k", "v", "EX"),
                        c("SET", "k", "v", "PX"), c("SET", "k", "v", "EXAT"), c("SET", "k", "v", "PXAT"),
                        c("SET", "k", "v", "NX", "EX"), c("SET", "k", "v", "EX", "10", "foo"),
                        c("SET", "k", "v", "EX", "abc", "NX", "XX"), c("EXISTS", "k")),
                of("setnx",
                        c("SETNX", "k", "v"), c("SETNX", "k", "w"), c("GET", "k"),
                        c("LPUSH", "l", "a"), c("SETNX", "l", "v"), c("SETNX", "k"), c("SETNX", "k", "v", "x")),
                of("getset",
                        c("GETSET", "k", "v"), c("GETSET", "k", "w"), c("GET", "k"),
                        c("SET", "k", "v", "EX", "100"), c("GETSET", "k", "x"), c("TTL", "k"),
                        c("LPUSH", "l", "a"), c("GETSET", "l", "v"), c("GETSET", "k")),
                of("getdel",
                        c("SET", "k", "v"), c("GETDEL", "k"), c("GET", "k"), c("GETDEL", "k"),
                        c("LPUSH", "l", "a"), c("GETDEL", "l"), c("EXISTS", "l"), c("GETDEL", "k", "x")),
                of("getex",
                        c("SET", "k", "v"), c("GETEX", "k"), c("TTL", "k"), c("GETEX", "k", "EX", "100"),
                        c("TTL", "k"), c("GETEX", "k"), c("TTL", "k"), c("GETEX", "k", "px", "200000"), c("TTL", "k"),
                        c("GETEX", "k", "PERSIST"), c("TTL", "k"), c("GETEX", "k", "PERSIST"), c("TTL", "k"),
                        c("GETEX", "k", "EXAT", FUTURE_S), c("EXPIRETIME", "k"),
                        c("GETEX", "k", "PXAT", FUTURE_MS), c("PEXPIRETIME", "k"),
                        c("GETEX", "k", "EX", "10", "EX", "20"), c("TTL", "k"),
                        c("GETEX", "k", "PERSIST", "PERSIST"), c("TTL", "k"),
                        c("GETEX", "k", "EXAT", "1"), c("EXISTS", "k"),
                        c("SET", "k", "v"), c("GETEX", "k", "PXAT", "1"), c("EXISTS", "k"), c("GETEX")),
                of("getex errors",
                        c("GETEX", "missing", "EX", "foo"), c("GETEX", "missing", "EX", "0"),
                        c("GETEX", "missing", "PERSIST", "EX", "1"), c("SET", "k", "v"),
                        c("GETEX", "k", "EX", "0"), c("GETEX", "k", "PX", "-1"), c("GETEX", "k", "EXAT", "0"),
                        c("GETEX", "k", "PXAT", "0"), c("GETEX", "k", "EX", MAX), c("GETEX", "k", "PX", MAX),
                        c("GETEX", "k", "EX", "abc"), c("GETEX", "k", "EX", "1.5"), c("GETEX", "k", "EX"),
                        c("GETEX", "k", "PERSIST", "EX", "10"), c("GETEX", "k", "EX", "10", "PERSIST"),
                        c("GETEX", "k", "EX", "10", "PX", "10"), c("GETEX", "k", "KEEPTTL"), c("GETEX", "k", "NX"),
                        c("GETEX", "k", "XX"), c("GETEX", "k", "GET"), c("GETEX", "k", "foo"), c("TTL", "k"),
                        c("LPUSH", "l", "a"), c("GETEX", "l"), c("GETEX", "l", "EX", "0"),
                        c("GETEX", "l", "EX", "x", "y")));
    }

    private static List<Case> setExpiry() {
        return List.of(
                of("set ex px",
                        c("SET", "k", "v", "EX", "100"), c("TTL", "k"), c("SET", "k", "v", "PX", "100000"),
                        c("TTL", "k"), c("SET", "k", "v", "ex", "10", "EX", "20"), c("TTL", "k"),
                        c("SET", "k", "v"), c("TTL", "k"), c("SET", "k", "v", "EX", "100", "NX"), c("TTL", "k"),
                        c("SET", "k", "w", "PX", "100000", "XX", "GET"), c("TTL", "k")),
                of("set exat pxat",
                        c("SET", "k", "v", "EXAT", FUTURE_S), c("EXPIRETIME", "k"),
                        c("SET", "k", "v", "PXAT", FUTURE_MS), c("PEXPIRETIME", "k"),
                        c("SET", "k", "v", "PXAT", MAX), c("PEXPIRETIME", "k"),
                        c("SET", "k", "v", "EXAT", "9223372036854775"), c("PEXPIRETIME", "k"),
                        c("SET", "k", "v", "EXAT", "1"), c("GET", "k"), c("EXISTS", "k"),
                        c("SET", "k", "v"), c("SET", "k", "w", "PXAT", "1", "GET"), c("EXISTS", "k")),
                of("set keepttl",
                        c("SET", "k", "v", "KEEPTTL"), c("TTL", "k"), c("SET", "k", "v", "EX", "100"),
                        c("SET", "k", "w", "KEEPTTL"), c("TTL", "k"), c("GET", "k"),
                        c("SET", "k", "w", "keepttl", "KEEPTTL", "XX"), c("TTL", "k"), c("SET", "k", "x"),
                        c("TTL", "k")),
                of("set expiry conflicts",
                        c("SET", "k", "v", "EX", "10", "PX", "10"), c("SET", "k", "v", "PX", "10", "EX", "10"),
                        c("SET", "k", "v", "EX", "10", "EXAT", "10"), c("SET", "k", "v", "PXAT", "10", "EXAT", "10"),
                        c("SET", "k", "v", "PX", "10", "PXAT", "10"), c("SET", "k", "v", "EX", "10", "KEEPTTL"),
                        c("SET", "k", "v", "KEEPTTL", "PX", "10"), c("SET", "k", "v", "KEEPTTL", "EXAT", "10"),
                        c("SET", "k", "v", "PXAT", "10", "KEEPTTL"), c("EXISTS", "k")),
                of("set invalid expire",
                        c("SET", "k", "v", "EX", "0"), c("SET", "k", "v", "EX", "-1"), c("SET", "k", "v", "PX", "0"),
                        c("SET", "k", "v", "EXAT", "0"), c("SET", "k", "v", "PXAT", "-5"),
                        c("SET", "k", "v", "EX", MAX), c("SET", "k", "v", "EX", "9223372036854775"),
                        c("SET", "k", "v", "PX", MAX), c("SET", "k", "v", "EXAT", "9223372036854776"),
                        c("SET", "k", "v", "EX", MIN), c("SET", "k", "v", "EX", "abc"), c("SET", "k", "v", "EX", "1.5"),
                        c("SET", "k", "v", "PX", "9223372036854775808"), c("SET", "k", "v", "EX", "010"),
                        c("EXISTS", "k"), c("SET", "k", "v"), c("SET", "k", "w", "NX", "EX", "0"), c("GET", "k")),
                of("setex psetex",
                        c("SETEX", "k", "100", "v"), c("TTL", "k"), c("GET", "k"), c("PSETEX", "p", "100000", "v"),
                        c("TTL", "p"), c("GET", "p"), c("SETEX", "k", "0", "v"), c("SETEX", "k", "-1", "v"),
                        c("SETEX", "k", "abc", "v"), c("SETEX", "k", MAX, "v"), c("SETEX", "k", "9223372036854775", "v"),
                        c("PSETEX", "k", "0", "v"), c("PSETEX", "k", MAX, "v"), c("PSETEX", "k", "x", "v"),
                        c("LPUSH", "l", "a"), c("SETEX", "l", "100", "v"), c("GET", "l"), c("TTL", "l"),
                        c("SETEX", "k", "1"), c("PSETEX", "k", "1", "v", "x")));
    }

    private static List<Case> setVariants() {
        return List.of(
                of("append",
                        c("APPEND", "k", "foo"), c("APPEND", "k", "bar"), c("GET", "k"), c("APPEND", "e", ""),
                        c("EXISTS", "e"), c("GET", "e"), c("STRLEN", "e"), c("APPEND", "e", "x"),
                        c("SET", "n", "10", "EX", "100"), c("APPEND", "n", "5"), c("TTL", "n"), c("INCR", "n"),
                        c("APPEND", "u", "\u00e9"), c("APPEND", "u", "\u00e9"), c("GET", "u"),
                        c("LPUSH", "l", "a"), c("APPEND", "l", "x"), c("APPEND", "l", ""), c("APPEND", "k")),
                of("strlen",
                        c("STRLEN", "missing"), c("SET", "k", "hello"), c("STRLEN", "k"), c("SET", "n", "12345"),
                        c("STRLEN", "n"), c("SET", "u", "h\u00e9llo"), c("STRLEN", "u"),
                        c("LPUSH", "l", "a"), c("STRLEN", "l"), c("STRLEN"), c("STRLEN", "a", "b")),
                of("setrange",
                        c("SETRANGE", "k", "6", "Redis"), c("GET", "k"), c("SET", "k", "Hello World"),
                        c("SETRANGE", "k", "6", "Redis"), c("GET", "k"), c("SETRANGE", "k", "20", "x"), c("GET", "k"),
                        c("SETRANGE", "k", "0", "J"), c("GET", "k"), c("SETRANGE", "k", "100", ""),
                        c("SETRANGE", "k", "536870911", ""), c("SETRANGE", "missing", "0", ""),
                        c("SETRANGE", "missing", "536870912", ""), c("EXISTS", "missing"),
                        c("SET", "n", "5", "EX", "100"), c("SETRANGE", "n", "1", "0"), c("GET", "n"), c("TTL", "n"),
                        c("INCR", "n")),
                of("setrange errors",
                        c("SET", "k", "abc"), c("SETRANGE", "k", "-1", "x"), c("SETRANGE", "missing", "-1", ""),
                        c("SETRANGE", "k", "abc", "x"), c("SETRANGE", "k", "9223372036854775808", "x"),
                        c("SETRANGE", "k", "536870912", "x"), c("SETRANGE", "k", "536870911", "xy"),
                        c("SETRANGE", "missing", "536870912", "x"), c("SETRANGE", "k", MAX, "x"), c("GET", "k"),
                        c("LPUSH", "l", "a"), c("SETRANGE", "l", "0", "x"), c("SETRANGE", "l", "0", ""),
                        c("SETRANGE", "l", "-1", "x"), c("SETRANGE", "l", "x", "x"), c("SETRANGE", "k", "0")),
                of("getrange",
                        c("SET", "k", "This is a string"), c("GETRANGE", "k", "0", "3"), c("GETRANGE", "k", "-3", "-1"),
                        c("GETRANGE", "k", "0", "-1"), c("GETRANGE", "k", "10", "100"), c("GETRANGE", "k", "-100", "-1"),
                        c("GETRANGE", "k", "5", "3"), c("GETRANGE", "k", "-1", "-5"), c("GETRANGE", "k", "0", "-100"),
                        c("GETRANGE", "k", "-100", "-50"), c("GETRANGE", "k", "16", "20"),
                        c("GETRANGE", "k", "15", "15"), c("GETRANGE", "k", MIN, MAX), c("GETRANGE", "k", MAX, MIN),
                        c("GETRANGE", "k", MIN, MIN), c("GETRANGE", "k", "3", "-3"),
                        c("SUBSTR", "k", "0", "3"), c("SUBSTR", "k", "-6", "-1"),
                        c("SET", "e", ""), c("GETRANGE", "e", "0", "-1"), c("GETRANGE", "e", "0", "0"),
                        c("SET", "n", "12345"), c("GETRANGE", "n", "1", "2"), c("GETRANGE", "missing", "0", "1")),
                of("getrange errors",
                        c("SET", "k", "abc"), c("GETRANGE", "k", "a", "1"), c("GETRANGE", "k", "0", "1.5"),
                        c("GETRANGE", "missing", "x", "1"), c("LPUSH", "l", "a"), c("GETRANGE", "l", "0", "1"),
                        c("GETRANGE", "l", "a", "1"), c("SUBSTR", "l", "0", "1"), c("GETRANGE", "k", "0"),
                        c("SUBSTR", "k", "0", "1", "2")));
    }

    private static List<Case> multi() {
        return List.of(
                of("mget",
                        c("MSET", "a", "1", "b", "2"), c("MGET", "a", "b", "missing"), c("LPUSH", "l", "x"),
                        c("MGET", "a", "l", "b", "a"), c("MGET", "l"), c("MGET")),
                of("mset",
                        c("MSET", "a", "1", "b", "2"), c("MGET", "a", "b"), c("MSET", "a", "1", "b"), c("MSET", "a"),
                        c("MSET"), c("MSET", "a", "1", "a", "2"), c("GET", "a"), c("LPUSH", "l", "x"),
                        c("MSET", "l", "v"), c("GET", "l"), c("SET", "a", "v", "EX", "100"), c("MSET", "a", "w"),
                        c("TTL", "a")),
                of("msetnx",
                        c("MSETNX", "a", "1", "b", "2"), c("MSETNX", "b", "3", "c", "4"), c("EXISTS", "c"),
                        c("MGET", "a", "b", "c"), c("MSETNX", "a"), c("MSETNX", "x", "1", "y"),
                        c("MSETNX", "d", "1", "d", "2"), c("GET", "d"), c("LPUSH", "l", "x"),
                        c("MSETNX", "l", "1", "e", "2"), c("EXISTS", "e")));
    }

    private static List<Case> lengthAndRanges() {
        return List.of(
                of("set binary and large",
                        c("SET", "big", "x".repeat(100_000)), c("STRLEN", "big"), c("APPEND", "big", "yz"),
                        c("GETRANGE", "big", "-3", "-1"), c("SETRANGE", "big", "100005", "end"), c("STRLEN", "big"),
                        c("GETRANGE", "big", "99999", "-1")));
    }

    private static List<Case> counters() {
        return List.of(
                of("incr decr",
                        c("INCR", "n"), c("INCR", "n"), c("GET", "n"), c("DECR", "n"), c("DECR", "n"), c("DECR", "n"),
                        c("GET", "n"), c("INCR", "n"), c("INCR"), c("DECR", "n", "1")),
                of("incr not integers",
                        c("SET", "n", "010"), c("INCR", "n"), c("SET", "n", " 1"), c("INCR", "n"),
                        c("SET", "n", "1 "), c("INCR", "n"), c("SET", "n", "+1"), c("INCR", "n"),
                        c("SET", "n", "1.0"), c("INCR", "n"), c("SET", "n", "-0"), c("DECR", "n"),
                        c("SET", "n", ""), c("INCR", "n"), c("SET", "n", "abc"), c("INCRBY", "n", "1"),
                        c("SET", "n", "9223372036854775808"), c("INCR", "n"), c("SET", "n", "12345678901234567890"),
                        c("DECR", "n"), c("SET", "n", "1e3"), c("INCR", "n"), c("SET", "n", "0x10"), c("INCR", "n"),
                        c("GET", "n")),
                of("incr overflow",
                        c("SET", "n", MAX), c("INCR", "n"), c("INCRBY", "n", "0"), c("DECR", "n"),
                        c("SET", "n", MIN), c("DECR", "n"), c("INCRBY", "n", "-1"), c("INCR", "n"), c("GET", "n"),
                        c("SET", "n", "1"), c("INCRBY", "n", MAX), c("INCRBY", "m", MAX), c("INCRBY", "m", MAX),
                        c("INCRBY", "z", MIN), c("INCRBY", "z", "-1"), c("DECRBY", "z", "1")),
                of("incrby decrby",
                        c("INCRBY", "n", "10"), c("INCRBY", "n", "-20"), c("DECRBY", "n", "5"), c("DECRBY", "n", "-100"),
                        c("INCRBY", "n", "abc"), c("INCRBY", "n", "1.5"), c("INCRBY", "n", "01"),
                        c("DECRBY", "n", MIN), c("DECRBY", "m", MIN), c("DECRBY", "n", MAX), c("DECRBY", "n", "x"),
                        c("GET", "n"), c("INCRBY", "n"), c("DECRBY", "n", "1", "2")),
                of("counters keep ttl and type errors",
                        c("SET", "n", "5", "EX", "100"), c("INCR", "n"), c("INCRBY", "n", "5"), c("DECR", "n"),
                        c("DECRBY", "n", "2"), c("TTL", "n"), c("LPUSH", "l", "a"), c("INCR", "l"), c("DECR", "l"),
                        c("INCRBY", "l", "1"), c("INCRBY", "l", "abc"), c("DECRBY", "l", MIN),
                        c("DECRBY", "l", "1")));
    }

    private static List<Case> floats() {
        List<Case> cases = new ArrayList<>();
        cases.add(of("incrbyfloat",
                c("INCRBYFLOAT", "f", "1.5"), c("INCRBYFLOAT", "f", "0.1"), c("GET", "f"),
                c("SET", "f", "10.5"), c("INCRBYFLOAT", "f", "0.1"), c("SET", "f", "3.0e3"), c("INCRBYFLOAT", "f", "2"),
                c("SET", "f", "5.0e3"), c("INCRBYFLOAT", "f", "2.0e-5"), c("INCRBYFLOAT", "f", "-5000.00002"),
                c("GET", "f"), c("INCRBYFLOAT", "f"), c("INCRBYFLOAT", "f", "1", "2")));
        cases.add(of("incrbyfloat errors",
                c("SET", "f", "abc"), c("INCRBYFLOAT", "f", "1"), c("INCRBYFLOAT", "f", "xyz"),
                c("SET", "f", "1"), c("INCRBYFLOAT", "f", "abc"), c("INCRBYFLOAT", "f", ""),
                c("INCRBYFLOAT", "f", " 1"), c("INCRBYFLOAT", "f", "1 "), c("INCRBYFLOAT", "f", "nan"),
                c("INCRBYFLOAT", "f", "inf"), c("INCRBYFLOAT", "f", "-infinity"), c("INCRBYFLOAT", "g", "+inf"),
                c("EXISTS", "g"), c("SET", "f", "inf"), c("INCRBYFLOAT", "f", "1"), c("INCRBYFLOAT", "f", "-inf"),
                c("SET", "f", "1.7e308"), c("INCRBYFLOAT", "f", "1.7e308"),
                c("SET", "f", "1e4932"), c("INCRBYFLOAT", "f", "1e4932"), c("GET", "f"),
                c("INCRBYFLOAT", "f", "1e5000"), c("INCRBYFLOAT", "f", "1e-5000"), c("INCRBYFLOAT", "f", "1e"),
                c("INCRBYFLOAT", "f", "1e+"), c("INCRBYFLOAT", "f", "0x"), c("INCRBYFLOAT", "f", "0x1p"),
                c("INCRBYFLOAT", "f", "."), c("INCRBYFLOAT", "f", "-"), c("INCRBYFLOAT", "f", "1.5f"),
                c("INCRBYFLOAT", "f", "infinit"), c("INCRBYFLOAT", "f", "nan(1)"), c("INCRBYFLOAT", "f", "1,5"),
                c("INCRBYFLOAT", "f", "\t1"), c("INCRBYFLOAT", "f", "1" + "0".repeat(5119)),
                c("LPUSH", "l", "a"), c("INCRBYFLOAT", "l", "1"), c("INCRBYFLOAT", "l", "abc")));
        cases.add(of("incrbyfloat keeps ttl",
                c("SET", "f", "1", "EX", "100"), c("INCRBYFLOAT", "f", "1.25"), c("TTL", "f"), c("GET", "f")));
        String[][] sums = {
                {"0.1", "0.2"}, {"1.1", "2.2"}, {"1e20", "1"}, {"123456789012345678901", "0"},
                {"18446744073709551617", "0"}, {"9007199254740993", "0"}, {"-5", "5"}, {"-0.0", "0"}, {"-0", "-0"},
                {"1", "-1.5"}, {"0.333333333333333333333", "0"}, {"0.000000000000000005", "0"},
                {"0.000000000000000015", "0"}, {"0.000000000000000025", "0"}, {"-0.000000000000000001", "0"},
                {"0.00000000000000001", "0.000000000000000005"}, {"1.00000000000000000005", "0"},
                {"3.0000000000000000001", "0.00000000000000000001"}, {"1e400", "1"}, {"-1e30", "1e-30"},
                {"0x10", "1"}, {"0x1.8p1", "0"}, {"0X.8", "0"}, {"0x1p-2", "0x1P+3"}, {"0xABCDEFp-20", "0"},
                {".5", "5."}, {"+5", "-.5e-1"}, {"1E2", "1e-2"}, {"INF", "-Infinity"}, {"0e-99999999999", "0"},
                {"1e-4940", "0"}, {"0x1p-16445", "0"}, {"0x1p-16446", "0"}, {"0x1.8p-16445", "0"},
                {"1.18973149535723176502e+4932", "0"}, {"1.18973149535723176503e+4932", "0"},
                {"1.189731495357231765e+4932", "1e4913"}, {"3.3621031431120935063e-4932", "0"},
                {"99999999999999999.99", "0.01"}, {"12345.6789", "-12345.6789"}, {"1e-17", "0"},
                {"0.999999999999999999999", "0"}, {"2.5e-17", "0"}, {"7", "0.000000000000000015"},
                {"100", "-99.99999999999999999"}, {"1e19", "0.5"}, {"9223372036854775807", "1"},
                {"-9223372036854775808", "-0.5"}, {"5.0e3", "2.0e-5"}, {"10.5", "0.1"}, {"3.0e3", "2"},
                {"0.1", "0.7"}, {"17.17", "0.03"}, {"1.23456789012345678901234567890", "0"}, {"00001.5000", "0"},
                {"1e-4951", "0"}, {"1e-4952", "0"}, {"5e-4952", "0"}, {"-1e4932", "-1e4932"},
        };
        List<String[]> commands = new ArrayList<>();
        for (String[] s : sums) {
            commands.add(c("SET", "f", s[0]));
            commands.add(c("INCRBYFLOAT", "f", s[1]));
            commands.add(c("GET", "f"));
        }
        cases.add(of("incrbyfloat long double values", commands.toArray(new String[0][])));
        return cases;
    }

    private static List<Case> lcs() {
        return List.of(
                of("lcs",
                        c("SET", "a", "ohmytext"), c("SET", "b", "mynewtext"), c("LCS", "a", "b"),
                        c("LCS", "a", "b", "LEN"), c("LCS", "a", "b", "IDX"), c("LCS", "a", "b", "idx", "MINMATCHLEN", "4"),
                        c("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
                        c("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
                        c("LCS", "a", "b", "IDX", "MINMATCHLEN", "-5"), c("LCS", "a", "b", "MINMATCHLEN", "2"),
                        c("LCS", "a", "b", "LEN", "LEN"), c("LCS", "a", "b", "WITHMATCHLEN"),
                        c("LCS", "a", "missing"), c("LCS", "a", "missing", "IDX"), c("LCS", "m1", "m2", "LEN"),
                        c("LCS", "a", "a"), c("LCS", "a", "a", "IDX", "WITHMATCHLEN")),
                of("lcs ranges",
                        c("MSET", "x", "abcabcabc", "y", "cbacbaXXabc"), c("LCS", "x", "y"),
                        c("LCS", "x", "y", "IDX", "WITHMATCHLEN"), c("LCS", "y", "x", "IDX", "WITHMATCHLEN"),
                        c("MSET", "p", "rosettacode", "q", "raisethysword"), c("LCS", "p", "q"),
                        c("LCS", "p", "q", "IDX", "MINMATCHLEN", "2", "WITHMATCHLEN")),
                of("lcs errors",
                        c("SET", "a", "abc"), c("LCS", "a", "b", "LEN", "IDX"), c("LCS", "a", "b", "MINMATCHLEN"),
                        c("LCS", "a", "b", "MINMATCHLEN", "x"), c("LCS", "a", "b", "foo"), c("LPUSH", "l", "x"),
                        c("LCS", "a", "l"), c("LCS", "l", "a", "IDX", "LEN"), c("LCS", "l", "missing", "foo"),
                        c("LCS", "a"), c("SET", "big1", "x".repeat(12_000)), c("SET", "big2", "x".repeat(12_000)),
                        c("LCS", "big1", "big2"), c("LCS", "big1", "big2", "LEN", "IDX")));
    }
}
