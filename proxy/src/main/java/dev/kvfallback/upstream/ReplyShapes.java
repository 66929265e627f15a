package dev.kvfallback.upstream;

import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;

import java.util.Locale;
import java.util.Set;

/**
 * Restores the reply shapes Lettuce's decoder flattens, so a client gets Redis's exact bytes.
 *
 * <p>Two losses: Lettuce swallows a top-level {@code +QUEUED} (it arrives as "no value"), and it
 * strips the {@code txt:} format of a RESP3 verbatim string, handing over a plain bulk string.
 * Redis 7.0 sends verbatim strings only from the commands listed here, always with {@code txt}.
 */
final class ReplyShapes {

    private static final Set<String> VERBATIM = Set.of(
            "info", "client|list", "client|info", "latency|doctor", "memory|doctor",
            "lolwut", "cluster|info", "cluster|nodes", "cluster|replicas", "cluster|slaves");

    private ReplyShapes() {
    }

    static RespValue restore(RespRequest request, boolean resp3, RespValue value) {
        if (value == null) {
            return RespValue.Simple.QUEUED;
        }
        if (resp3 && value instanceof RespValue.Bulk bulk && VERBATIM.contains(fullName(request))) {
            return new RespValue.Verbatim("txt", bulk.bytes());
        }
        return value;
    }

    private static String fullName(RespRequest request) {
        String name = request.name();
        return switch (name) {
            case "client", "latency", "memory", "cluster" -> request.size() > 1
                    ? name + "|" + new String(request.arg(1), java.nio.charset.StandardCharsets.US_ASCII)
                            .toLowerCase(Locale.ROOT)
                    : name;
            default -> name;
        };
    }
}
