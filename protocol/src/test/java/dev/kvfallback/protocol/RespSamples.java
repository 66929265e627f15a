package dev.kvfallback.protocol;

import dev.kvfallback.protocol.RespValue.Array;
import dev.kvfallback.protocol.RespValue.Attributed;
import dev.kvfallback.protocol.RespValue.BigNumber;
import dev.kvfallback.protocol.RespValue.Bool;
import dev.kvfallback.protocol.RespValue.Bulk;
import dev.kvfallback.protocol.RespValue.BulkError;
import dev.kvfallback.protocol.RespValue.Error;
import dev.kvfallback.protocol.RespValue.Int;
import dev.kvfallback.protocol.RespValue.Null;
import dev.kvfallback.protocol.RespValue.Push;
import dev.kvfallback.protocol.RespValue.Simple;
import dev.kvfallback.protocol.RespValue.Verbatim;

import java.util.List;

import static dev.kvfallback.protocol.DecoderHarness.latin1;

/**
 * Every RESP type with its canonical RESP3 bytes and the RESP2 bytes Redis 7.0 writes for the same
 * reply. Shared by the decoder and encoder tests so both directions agree on one table.
 */
final class RespSamples {

    record Sample(String resp3, String resp2, RespValue value) {
    }

    private RespSamples() {
    }

    static final List<Sample> ALL = List.of(
            new Sample("+OK\r\n", "+OK\r\n", Simple.OK),
            new Sample("+\r\n", "+\r\n", new Simple(new byte[0])),
            new Sample("-ERR unknown command\r\n", "-ERR unknown command\r\n", new Error("ERR unknown command")),
            new Sample(":0\r\n", ":0\r\n", Int.ZERO),
            new Sample(":-42\r\n", ":-42\r\n", new Int(-42)),
            new Sample(":1023\r\n", ":1023\r\n", new Int(1023)),
            new Sample(":1024\r\n", ":1024\r\n", new Int(1024)),
            new Sample(":9223372036854775807\r\n", ":9223372036854775807\r\n", new Int(Long.MAX_VALUE)),
            new Sample(":-9223372036854775808\r\n", ":-9223372036854775808\r\n", new Int(Long.MIN_VALUE)),
            new Sample("$6\r\nhe\r\nlo\r\n", "$6\r\nhe\r\nlo\r\n", new Bulk(latin1("he\r\nlo"))),
            new Sample("$0\r\n\r\n", "$0\r\n\r\n", new Bulk(new byte[0])),
            new Sample("$3\r\n\0\u00ff\n\r\n", "$3\r\n\0\u00ff\n\r\n", new Bulk(new byte[] {0, (byte) 0xff, '\n'})),
            new Sample("_\r\n", "$-1\r\n", Null.BULK),
            new Sample("_\r\n", "*-1\r\n", Null.ARRAY),
            new Sample(",1.5\r\n", "$3\r\n1.5\r\n", new RespValue.Double(1.5)),
            new Sample(",0.10000000000000001\r\n", "$19\r\n0.10000000000000001\r\n", new RespValue.Double(0.1)),
            new Sample(",1e+20\r\n", "$5\r\n1e+20\r\n", new RespValue.Double(1e20)),
            new Sample(",inf\r\n", "$3\r\ninf\r\n", new RespValue.Double(java.lang.Double.POSITIVE_INFINITY)),
            new Sample(",-inf\r\n", "$4\r\n-inf\r\n", new RespValue.Double(java.lang.Double.NEGATIVE_INFINITY)),
            new Sample(",nan\r\n", "$3\r\nnan\r\n", new RespValue.Double(java.lang.Double.NaN)),
            new Sample("#t\r\n", ":1\r\n", Bool.TRUE),
            new Sample("#f\r\n", ":0\r\n", Bool.FALSE),
            new Sample("!21\r\nSYNTAX invalid syntax\r\n", "-SYNTAX invalid syntax\r\n",
                    new BulkError(latin1("SYNTAX invalid syntax"))),
            new Sample("=15\r\ntxt:Some string\r\n", "$11\r\nSome string\r\n", new Verbatim("txt", latin1("Some string"))),
            new Sample("=4\r\nmkd:\r\n", "$0\r\n\r\n", new Verbatim("mkd", new byte[0])),
            new Sample("(3492890328409238509324850943850943825024385\r\n",
                    "$43\r\n3492890328409238509324850943850943825024385\r\n",
                    new BigNumber(latin1("3492890328409238509324850943850943825024385"))),
            new Sample("(-1\r\n", "$2\r\n-1\r\n", new BigNumber(latin1("-1"))),
            new Sample("*0\r\n", "*0\r\n", Array.EMPTY),
            new Sample("*3\r\n:1\r\n$1\r\nx\r\n_\r\n", "*3\r\n:1\r\n$1\r\nx\r\n$-1\r\n",
                    new Array(List.of(Int.ONE, Bulk.of("x"), Null.BULK))),
            new Sample("%2\r\n+first\r\n:1\r\n+second\r\n,2.5\r\n", "*4\r\n+first\r\n:1\r\n+second\r\n$3\r\n2.5\r\n",
                    new RespValue.Map(List.of(new Simple("first"), Int.ONE, new Simple("second"), new RespValue.Double(2.5)))),
            new Sample("%0\r\n", "*0\r\n", new RespValue.Map(List.of())),
            new Sample("~2\r\n$1\r\na\r\n#t\r\n", "*2\r\n$1\r\na\r\n:1\r\n", new RespValue.Set(List.of(Bulk.of("a"), Bool.TRUE))),
            new Sample("~0\r\n", "*0\r\n", new RespValue.Set(List.of())),
            new Sample(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
                    new Push(List.of(Bulk.of("message"), Bulk.of("ch"), Bulk.of("hi")))),
            new Sample("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.5\r\n*2\r\n:2039123\r\n:9543892\r\n",
                    "*2\r\n:2039123\r\n:9543892\r\n",
                    new Attributed(
                            List.of(new Simple("key-popularity"),
                                    new RespValue.Map(List.of(Bulk.of("a"), new RespValue.Double(0.5)))),
                            new Array(List.of(new Int(2039123), new Int(9543892))))),
            new Sample("*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n:7\r\n", "*2\r\n$1\r\nv\r\n:7\r\n",
                    new Array(List.of(new Attributed(List.of(new Simple("ttl"), new Int(3600)), Bulk.of("v")), new Int(7)))),
            new Sample("*2\r\n_\r\n*2\r\n%1\r\n~1\r\n_\r\n>0\r\n*0\r\n",
                    "*2\r\n*-1\r\n*2\r\n*2\r\n*1\r\n$-1\r\n*0\r\n*0\r\n",
                    new Array(List.of(Null.ARRAY, new Array(List.of(
                            new RespValue.Map(List.of(new RespValue.Set(List.of(Null.BULK)), new Push(List.of()))),
                            Array.EMPTY))))));

    /**
     * What decoding the RESP3 bytes of {@code v} gives back: {@code v} with every
     * {@link Null#ARRAY} as {@link Null#BULK}, because RESP3 has a single null.
     */
    static RespValue afterResp3(RespValue v) {
        if (v == Null.ARRAY) {
            return Null.BULK;
        }
        if (v instanceof Array a) {
            return new Array(afterResp3(a.items()));
        }
        if (v instanceof RespValue.Map m) {
            return new RespValue.Map(afterResp3(m.flat()));
        }
        if (v instanceof RespValue.Set s) {
            return new RespValue.Set(afterResp3(s.items()));
        }
        if (v instanceof Push p) {
            return new Push(afterResp3(p.items()));
        }
        if (v instanceof Attributed a) {
            return new Attributed(afterResp3(a.attributes()), afterResp3(a.value()));
        }
        return v;
    }

    private static List<RespValue> afterResp3(List<RespValue> values) {
        return values.stream().map(RespSamples::afterResp3).toList();
    }
}
