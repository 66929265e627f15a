package dev.kvfallback.server;

import dev.kvfallback.testing.Conformance;
import dev.kvfallback.testing.Conformance.Case;
import dev.kvfallback.testing.ProxiedRedisExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.kvfallback.testing.Conformance.c;
import static dev.kvfallback.testing.Conformance.of;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The conformance table: command sequences run straight at a real redis-server and through the
 * proxy, in RESP2 and RESP3, comparing every reply byte for byte. It covers every reply type and
 * the commands that need a pinned connection (transactions, blocking, another db).
 */
class ConformanceIT {

    @RegisterExtension
    static final ProxiedRedisExtension STACK = ProxiedRedisExtension.plain();

    static Stream<Arguments> cases() {
        return Conformance.inBothProtocols(servedInFallback(), redisOnly());
    }

    /** Cases whose every command the proxy also serves from MongoDB, replies included. */
    static List<Case> servedInFallback() {
        String big = "x".repeat(100_000);
        return List.of(
                of("simple, bulk, null bulk", c("SET", "k", "v"), c("GET", "k"), c("GET", "missing"),
                        c("SET", "k", "w", "NX"), c("SET", "k", "w2", "XX", "GET"), c("TYPE", "k"), c("TYPE", "nokey")),
                of("integers", c("INCR", "n"), c("INCRBY", "n", "-5"), c("DECR", "n"), c("APPEND", "s", "abc"),
                        c("STRLEN", "s"), c("EXISTS", "s", "nokey", "s"), c("DEL", "s", "n", "nokey")),
                of("floats as bulk strings", c("INCRBYFLOAT", "f", "1.5"), c("INCRBYFLOAT", "f", "0.1"),
                        c("GETRANGE", "f", "0", "1")),
                of("arrays with nulls", c("MSET", "a", "1", "b", "2"), c("MGET", "a", "nokey", "b"), c("KEYS", "a")),
                of("errors", c("SET", "k", "v"), c("INCR", "k"), c("LPUSH", "k", "x"), c("GET"),
                        c("NOSUCHCMD", "a", "b"), c("CONFIG", "NOSUCHSUB"), c("SET", "k", "v", "EX", "-1"),
                        c("SET", "k", "v", "BADOPT"), c("EXEC"), c("DISCARD")),
                of("lists", c("RPUSH", "l", "a", "b", "c"), c("LRANGE", "l", "0", "-1"), c("LPOP", "l", "2"),
                        c("LPOS", "l", "c"), c("LPOS", "l", "zz"), c("LINDEX", "l", "5"), c("LPOP", "nolist", "2")),
                of("hashes as maps", c("HSET", "h", "f", "v", "f2", "v2"), c("HGETALL", "h"), c("HMGET", "h", "f", "nof"),
                        c("HINCRBYFLOAT", "h", "n", "0.1"), c("HGETALL", "nohash")),
                of("sets", c("SADD", "s", "a"), c("SMEMBERS", "s"), c("SISMEMBER", "s", "a"),
                        c("SMISMEMBER", "s", "a", "b"), c("SINTERCARD", "1", "s"), c("SMEMBERS", "noset")),
                of("sorted sets and doubles", c("ZADD", "z", "1", "a", "2.5", "b", "1e20", "c", "0.1", "d"),
                        c("ZRANGE", "z", "0", "-1", "WITHSCORES"), c("ZSCORE", "z", "b"), c("ZSCORE", "z", "d"),
                        c("ZINCRBY", "z", "0.1", "a"), c("ZMSCORE", "z", "a", "nosuch"), c("ZPOPMIN", "z"),
                        c("ZRANK", "z", "c"), c("ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", "0", "1"),
                        c("ZADD", "z", "INCR", "inf", "e"), c("ZSCORE", "z", "e"), c("ZRANDMEMBER", "nozset")),
                of("transaction", c("MULTI"), c("SET", "t", "1"), c("INCR", "t"), c("GET", "t"), c("PING"),
                        c("ECHO", "e"), c("EXEC"), c("GET", "t")),
                of("transaction aborted", c("MULTI"), c("SET", "t"), c("INCR", "t"), c("EXEC")),
                of("transaction runtime error", c("SET", "s", "str"), c("MULTI"), c("INCR", "s"), c("SET", "u", "1"),
                        c("EXEC"), c("MULTI"), c("DISCARD"), c("MULTI"), c("MULTI"), c("DISCARD")),
                of("another db", c("SET", "k", "db0"), c("SELECT", "1"), c("SET", "k", "db1"), c("GET", "k"),
                        c("SELECT", "0"), c("GET", "k"), c("SELECT", "99"), c("SELECT", "x"), c("SELECT", "1"),
                        c("DBSIZE"), c("FLUSHDB"), c("SELECT", "0"), c("DBSIZE")),
                of("local commands", c("PING"), c("PING", "hello"), c("ECHO", "x"), c("PING", "a", "b"), c("ECHO"),
                        c("CLIENT", "GETNAME"), c("CLIENT", "SETNAME", "n1"), c("CLIENT", "GETNAME"),
                        c("CLIENT", "SETNAME", "a b"), c("CLIENT", "ID", "x"), c("HELLO", "4"), c("HELLO", "x"),
                        c("AUTH", "x"), c("AUTH", "a", "b"), c("COMMAND", "NOSUCH")),
                of("client state", c("CLIENT", "NO-EVICT", "on"), c("CLIENT", "NO-EVICT", "off"),
                        c("CLIENT", "NO-EVICT", "x"), c("CLIENT", "TRACKINGINFO"), c("CLIENT", "GETREDIR"),
                        c("CLIENT", "PAUSE", "x"), c("CLIENT", "PAUSE", "-1"), c("CLIENT", "PAUSE", "10", "foo"),
                        c("CLIENT", "PAUSE", "10", "write", "x"), c("CLIENT", "UNPAUSE"),
                        c("CLIENT", "KILL", "ID", "0"), c("CLIENT", "KILL", "TYPE", "foo"),
                        c("CLIENT", "KILL", "SKIPME", "maybe"), c("CLIENT", "KILL", "USER", "nosuch"),
                        c("CLIENT", "KILL", "1.2.3.4:1"), c("CLIENT", "KILL", "LADDR", "x"),
                        c("CLIENT", "KILL", "TYPE", "master"), c("CLIENT", "KILL", "ADDR", "1.2.3.4:1", "foo"),
                        c("CLIENT", "LIST", "TYPE", "foo"), c("CLIENT", "LIST", "ID", "x"), c("CLIENT", "LIST", "ID", "0"),
                        c("CLIENT", "LIST", "TYPE", "master"), c("CLIENT", "LIST", "foo", "bar"),
                        c("CLIENT", "UNBLOCK", "x"), c("CLIENT", "UNBLOCK", "0"), c("CLIENT", "UNBLOCK", "999999"),
                        c("CLIENT", "UNBLOCK", "999999", "foo"), c("CLIENT", "REPLY", "X")),
                of("command table", c("COMMAND", "COUNT"), c("COMMAND", "INFO", "get", "set", "nosuch", "config|get"),
                        c("COMMAND", "DOCS", "get"), c("COMMAND", "DOCS", "nosuch"),
                        c("COMMAND", "GETKEYS", "SET", "k", "v"), c("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"),
                        c("COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a", "b"),
                        c("COMMAND", "GETKEYS", "XREAD", "STREAMS", "s1", "s2", "0", "0"),
                        c("COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b"),
                        c("COMMAND", "GETKEYS", "PING", "x"), c("COMMAND", "GETKEYS", "NOSUCH", "x"),
                        c("COMMAND", "GETKEYS", "GET", "a", "b"), c("COMMAND", "GETKEYS", "LMPOP", "2", "a", "b", "LEFT"),
                        c("COMMAND", "GETKEYS", "SORT", "k", "STORE", "d"),
                        c("COMMAND", "GETKEYS", "SORT", "abc", "STORE", "invalid", "STORE", "stillbad", "STORE", "def"),
                        c("COMMAND", "GETKEYS", "SORT", "abc", "STORE", "get", "x", "STORE"),
                        c("COMMAND", "GETKEYS", "SORT_RO", "abc", "LIMIT", "0", "1", "STORE", "d")),
                of("keys and expiry", c("SET", "k", "v"), c("EXPIRE", "k", "100"), c("TTL", "k"), c("PERSIST", "k"),
                        c("PTTL", "k"), c("DBSIZE"), c("SCAN", "0"), c("RENAME", "k", "k2"), c("RENAME", "nokey", "k3")),
                of("large value", c("SET", "big", big), c("GET", "big"), c("STRLEN", "big")));
    }

    /** Cases with commands only Redis serves (scripting, streams, blocking, WATCH, server introspection). */
    static List<Case> redisOnly() {
        return List.of(
                of("object encoding", c("SET", "k", "v"), c("OBJECT", "ENCODING", "k")),
                of("config map", c("CONFIG", "GET", "maxmemory-policy"), c("CONFIG", "GET", "nosuchparam")),
                of("scripting, every RESP3 type", c("EVAL", "return 1", "0"),
                        c("EVAL", "return redis.call('set',KEYS[1],ARGV[1])", "1", "k", "v"),
                        c("EVAL", "redis.setresp(3); return true", "0"), c("EVAL", "redis.setresp(3); return false", "0"),
                        c("EVAL", "return {double=3.14}", "0"),
                        c("EVAL", "return {big_number='1234567890123456789012345678901234567890'}", "0"),
                        c("EVAL", "return {map={a=1}}", "0"), c("EVAL", "return {set={a=true}}", "0"),
                        c("EVAL", "return nil", "0"), c("EVAL", "return redis.error_reply('MYERR custom')", "0"),
                        c("EVAL", "return {1,2,{3,'x',{err='E nested'}}}", "0"),
                        c("EVALSHA", "0000000000000000000000000000000000000000", "0")),
                of("watch unchanged", c("WATCH", "w"), c("MULTI"), c("SET", "w", "1"), c("EXEC"), c("UNWATCH")),
                of("blocking timeouts (null array)", c("BLPOP", "nolist", "0.01"), c("BZPOPMIN", "nz", "0.01"),
                        c("LPUSH", "bl", "x"), c("BLPOP", "bl", "1"), c("BLMOVE", "nolist", "dst", "LEFT", "RIGHT", "0.01"),
                        c("XREAD", "BLOCK", "10", "STREAMS", "nostream", "$"), c("GET", "afterblock")),
                of("streams", c("XADD", "st", "1-1", "f", "v"), c("XADD", "st", "2-1", "g", "w"), c("XRANGE", "st", "-", "+"),
                        c("XLEN", "st"), c("XREAD", "COUNT", "1", "STREAMS", "st", "0")),
                of("verbatim text", c("LATENCY", "DOCTOR")));
    }

    @ParameterizedTest(name = "{0} RESP{1}")
    @MethodSource("cases")
    void proxyRepliesAreRedisRepliesByteForByte(Case c, int protocol) throws Exception {
        String direct = run(STACK.redis().port(), c, protocol);
        String proxied = run(STACK.proxy().port(), c, protocol);
        assertEquals(direct, proxied);
    }

    private static String run(int port, Case c, int protocol) throws Exception {
        return Conformance.transcript(port, c, protocol);
    }
}
