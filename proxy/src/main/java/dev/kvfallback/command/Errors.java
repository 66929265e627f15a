package dev.kvfallback.command;

import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Every error reply the proxy writes itself, in Redis's {@code CODE message} form and with
 * Redis 7.0's exact texts, so a client cannot tell the proxy's rejection from Redis's.
 */
public final class Errors {

    public static final RespValue.Error NOAUTH = new RespValue.Error("NOAUTH Authentication required.");
    public static final RespValue.Error WRONGPASS =
            new RespValue.Error("WRONGPASS invalid username-password pair or user is disabled.");
    public static final RespValue.Error AUTH_NOT_CONFIGURED = new RespValue.Error(
            "ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
    public static final RespValue.Error HELLO_NOAUTH = new RespValue.Error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> "
                    + "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
                    + "protocol version at the same time");
    public static final RespValue.Error NOPROTO = new RespValue.Error("NOPROTO unsupported protocol version");
    public static final RespValue.Error PROTOCOL_NOT_INTEGER =
            new RespValue.Error("ERR Protocol version is not an integer or out of range");
    public static final RespValue.Error NOT_INTEGER = new RespValue.Error("ERR value is not an integer or out of range");
    public static final RespValue.Error DB_OUT_OF_RANGE = new RespValue.Error("ERR DB index is out of range");
    public static final RespValue.Error SYNTAX = new RespValue.Error("ERR syntax error");
    public static final RespValue.Error BAD_CLIENT_NAME = new RespValue.Error(
            "ERR Client names cannot contain spaces, newlines or special characters.");
    public static final RespValue.Error INVALID_COMMAND = new RespValue.Error("ERR Invalid command specified");
    public static final RespValue.Error NO_KEY_ARGUMENTS = new RespValue.Error("ERR The command has no key arguments");
    public static final RespValue.Error INVALID_ARGUMENTS =
            new RespValue.Error("ERR Invalid arguments specified for command");
    public static final RespValue.Error INVALID_ARGUMENT_COUNT =
            new RespValue.Error("ERR Invalid number of arguments specified for command");
    public static final RespValue.Error MULTI_NESTED = new RespValue.Error("ERR MULTI calls can not be nested");
    public static final RespValue.Error EXEC_WITHOUT_MULTI = new RespValue.Error("ERR EXEC without MULTI");
    public static final RespValue.Error DISCARD_WITHOUT_MULTI = new RespValue.Error("ERR DISCARD without MULTI");
    public static final RespValue.Error WATCH_IN_MULTI = new RespValue.Error("ERR WATCH inside MULTI is not allowed");
    public static final RespValue.Error EXECABORT =
            new RespValue.Error("EXECABORT Transaction discarded because of previous errors.");

    private Errors() {
    }

    /** {@code ERR wrong number of arguments for 'get' command}. */
    public static RespValue.Error wrongArity(String fullName) {
        return new RespValue.Error("ERR wrong number of arguments for '" + fullName + "' command");
    }

    /** {@code ERR unknown command 'x', with args beginning with: 'a' 'b' } (Redis keeps the trailing space). */
    public static RespValue.Error unknownCommand(List<byte[]> argv) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < argv.size() && args.length() < 128; i++) {
            String arg = new String(argv.get(i), StandardCharsets.UTF_8);
            int room = 128 - args.length();
            args.append('\'').append(arg, 0, Math.min(arg.length(), room)).append("' ");
        }
        String name = new String(argv.get(0), StandardCharsets.UTF_8);
        return new RespValue.Error("ERR unknown command '" + truncate(name, 128) + "', with args beginning with: " + args);
    }

    /** {@code NOPERM} for a command the user's access does not permit ({@code name} as Redis writes it: {@code config|get}). */
    public static RespValue.Error noPerm(String name) {
        return new RespValue.Error("NOPERM this user has no permissions to run the '" + name + "' command");
    }

    public static final RespValue.Error NOTBUSY = new RespValue.Error("NOTBUSY No scripts in execution right now.");
    public static final RespValue.Error INVALID_CLIENT_ID = new RespValue.Error("ERR Invalid client ID");
    public static final RespValue.Error CLIENT_ID_NOT_POSITIVE = new RespValue.Error("ERR client-id should be greater than 0");
    public static final RespValue.Error NO_SUCH_CLIENT = new RespValue.Error("ERR No such client");
    public static final RespValue.Error TIMEOUT_NOT_INTEGER = new RespValue.Error("ERR timeout is not an integer or out of range");
    public static final RespValue.Error TIMEOUT_NEGATIVE = new RespValue.Error("ERR timeout is negative");
    public static final RespValue.Error PAUSE_MODE = new RespValue.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    public static final RespValue.Error UNBLOCK_REASON =
            new RespValue.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");

    /** A subcommand's own argument check: {@code ERR unknown subcommand or wrong number of arguments for 'x'. Try CLIENT HELP.} */
    public static RespValue.Error subcommandArguments(String container, byte[] sub) {
        return new RespValue.Error("ERR unknown subcommand or wrong number of arguments for '"
                + truncate(new String(sub, StandardCharsets.UTF_8), 128) + "'. Try " + container + " HELP.");
    }

    /** {@code ERR Unknown client type 'x'}. */
    public static RespValue.Error unknownClientType(byte[] type) {
        return new RespValue.Error("ERR Unknown client type '" + new String(type, StandardCharsets.UTF_8) + "'");
    }

    /** {@code ERR No such user 'x'}. */
    public static RespValue.Error noSuchUser(String user) {
        return new RespValue.Error("ERR No such user '" + user + "'");
    }

    /** The client reached its maximum; Redis writes it and closes the connection. */
    public static final RespValue.Error MAX_CLIENTS = new RespValue.Error("ERR max number of clients reached");

    /** {@code ERR unknown subcommand 'x'. Try CONFIG HELP.} */
    public static RespValue.Error unknownSubcommand(String container, byte[] sub) {
        return new RespValue.Error("ERR unknown subcommand '" + truncate(new String(sub, StandardCharsets.UTF_8), 128)
                + "'. Try " + container.toUpperCase(java.util.Locale.ROOT) + " HELP.");
    }

    /** {@code ERR Syntax error in HELLO option 'x'}. */
    public static RespValue.Error helloOption(byte[] option) {
        return new RespValue.Error("ERR Syntax error in HELLO option '" + new String(option, StandardCharsets.UTF_8) + "'");
    }

    /** The RESP2 subscribed-mode refusal. */
    public static RespValue.Error subscribedContext(String name) {
        return new RespValue.Error("ERR Can't execute '" + name
                + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
    }

    /** A command the proxy cannot carry, e.g. {@code ERR kvfallback: MONITOR is not supported through the proxy}. */
    public static RespValue.Error unsupported(String command) {
        return new RespValue.Error("ERR kvfallback: " + command + " is not supported through the proxy");
    }

    /** A client protocol error, e.g. {@code ERR Protocol error: invalid bulk length}. */
    public static RespValue.Error protocol(String message) {
        return new RespValue.Error("ERR " + message);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    /** An error reply's text (without the leading {@code -}), for a log line or another error. */
    public static String text(RespValue.Error error) {
        return new String(error.bytes(), StandardCharsets.UTF_8);
    }

    private static final String MONGO_DOWN = "ERR kvfallback: MongoDB unavailable";

    /**
     * {@code ERR kvfallback: Redis unavailable (why) and MongoDB unavailable (why)}: a command served
     * from MongoDB because Redis could not ({@code redisCause}) that MongoDB could not serve either.
     * Any other error is the command's own and is returned as it is.
     */
    public static RespValue.Error bothDown(String redisCause, RespValue.Error mongoError) {
        String mongo = text(mongoError);
        if (!mongo.startsWith(MONGO_DOWN)) {
            return mongoError;
        }
        String redis = redisCause == null ? "" : redisCause.replace('\r', ' ').replace('\n', ' ');
        return new RespValue.Error("ERR kvfallback: Redis unavailable (" + redis + ") and MongoDB unavailable"
                + mongo.substring(MONGO_DOWN.length()));
    }
}
