package dev.kvfallback.command;

import dev.kvfallback.config.UserAccount;
import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The commands the proxy answers itself, because they describe the client's connection to the
 * proxy rather than data: PING, ECHO, HELLO, AUTH, SELECT, CLIENT SETNAME/GETNAME/ID,
 * ACL WHOAMI and COMMAND COUNT/INFO/DOCS/GETKEYS ({@link CommandPolicy.Kind#LOCAL}). Replies and errors
 * are Redis 7.0's.
 */
public final class LocalCommands {

    private final CommandTable table;
    private final Users users;
    private final int databases;
    private final String serverVersion;

    /**
     * @param users         the proxy's own accounts (its requirepass and named users)
     * @param databases     how many dbs SELECT accepts (Redis's {@code databases}, 16 by default)
     * @param serverVersion the version HELLO reports (the upstream's, clients key features off it)
     */
    public LocalCommands(CommandTable table, Users users, int databases, String serverVersion) {
        this.table = table;
        this.users = users;
        this.databases = databases;
        this.serverVersion = serverVersion;
    }

    /** Runs a local command (not QUIT or RESET, which the server handles: they touch the connection). */
    public RespValue run(CommandSpec spec, RespRequest request, SessionState session) {
        return switch (spec.name()) {
            case "ping" -> ping(request, session);
            case "echo" -> new RespValue.Bulk(request.arg(1));
            case "hello" -> hello(request, session);
            case "auth" -> auth(request, session);
            case "select" -> select(request, session);
            case "client|setname" -> setName(request, session);
            case "client|getname" -> session.name == null ? RespValue.Null.BULK : new RespValue.Bulk(session.name);
            case "client|id" -> new RespValue.Int(session.id);
            case "acl|whoami" -> RespValue.Bulk.of(session.user.name());
            case "command" -> commandList(all());
            case "command|count" -> new RespValue.Int(table.size());
            case "command|info" -> commandInfo(request);
            case "command|docs" -> commandDocs(request);
            case "command|getkeys" -> getKeys(request);
            default -> throw new IllegalArgumentException("not a local command: " + spec.name());
        };
    }

    /** The accounts clients authenticate against. */
    public Users users() {
        return users;
    }

    private RespValue ping(RespRequest request, SessionState session) {
        if (request.size() > 2) {
            return Errors.wrongArity("ping");
        }
        if (session.inSubscribedMode()) {
            // RESP2 subscribed mode answers PING with a two-element array, as Redis does.
            byte[] payload = request.size() > 1 ? request.arg(1) : new byte[0];
            return new RespValue.Array(List.of(RespValue.Bulk.of("pong"), new RespValue.Bulk(payload)));
        }
        return request.size() > 1 ? new RespValue.Bulk(request.arg(1)) : RespValue.Simple.PONG;
    }

    private RespValue hello(RespRequest request, SessionState session) {
        int protocol = session.protocol;
        if (request.size() > 1) {
            long version;
            try {
                version = Long.parseLong(ascii(request.arg(1)));
            } catch (NumberFormatException e) {
                return Errors.PROTOCOL_NOT_INTEGER;
            }
            if (version < 2 || version > 3) {
                return Errors.NOPROTO;
            }
            protocol = (int) version;
        }
        byte[] name = null;
        boolean setName = false;
        byte[] authUser = null;
        byte[] authPassword = null;
        for (int i = 2; i < request.size(); i++) {
            String option = ascii(request.arg(i)).toLowerCase(Locale.ROOT);
            boolean more = i + 1 < request.size();
            if (option.equals("auth") && i + 2 < request.size()) {
                authUser = request.arg(i + 1);
                authPassword = request.arg(i + 2);
                i += 2;
            } else if (option.equals("setname") && more) {
                name = request.arg(i + 1);
                if (!validName(name)) {
                    return Errors.BAD_CLIENT_NAME;
                }
                setName = true;
                i += 1;
            } else {
                return Errors.helloOption(request.arg(i));
            }
        }
        // As Redis: every option is checked before the credentials are.
        if (authUser != null) {
            RespValue refused = authenticate(authUser, authPassword, session);
            if (refused != null) {
                return refused;
            }
        }
        if (!session.authenticated) {
            return Errors.HELLO_NOAUTH;
        }
        if (setName) {
            session.name = name.length == 0 ? null : name;
        }
        session.protocol = protocol;
        return new RespValue.Map(List.of(
                RespValue.Bulk.of("server"), RespValue.Bulk.of("redis"),
                RespValue.Bulk.of("version"), RespValue.Bulk.of(serverVersion),
                RespValue.Bulk.of("proto"), new RespValue.Int(protocol),
                RespValue.Bulk.of("id"), new RespValue.Int(session.id),
                RespValue.Bulk.of("mode"), RespValue.Bulk.of("standalone"),
                RespValue.Bulk.of("role"), RespValue.Bulk.of("master"),
                RespValue.Bulk.of("modules"), RespValue.Array.EMPTY));
    }

    private RespValue auth(RespRequest request, SessionState session) {
        byte[] user = request.size() == 3 ? request.arg(1) : null;
        byte[] password = request.arg(request.size() - 1);
        if (request.size() > 3) {
            return Errors.SYNTAX;
        }
        RespValue refused = authenticate(user, password, session);
        return refused != null ? refused : RespValue.Simple.OK;
    }

    /** Null when accepted; else the error. Without any password configured only the default user exists. */
    private RespValue authenticate(byte[] user, byte[] password, SessionState session) {
        if (user == null && !users.required()) {
            return Errors.AUTH_NOT_CONFIGURED;
        }
        UserAccount found = users.authenticate(user, password);
        if (found == null) {
            return Errors.WRONGPASS;
        }
        session.login(found);
        return null;
    }

    private RespValue select(RespRequest request, SessionState session) {
        long db;
        try {
            db = Long.parseLong(ascii(request.arg(1)));
        } catch (NumberFormatException e) {
            return Errors.NOT_INTEGER;
        }
        if (db < 0 || db >= databases) {
            return Errors.DB_OUT_OF_RANGE;
        }
        session.db = (int) db;
        return RespValue.Simple.OK;
    }

    private RespValue setName(RespRequest request, SessionState session) {
        byte[] name = request.arg(2);
        if (!validName(name)) {
            return Errors.BAD_CLIENT_NAME;
        }
        session.name = name.length == 0 ? null : name;
        return RespValue.Simple.OK;
    }

    /** Whether {@code name} is printable ASCII without spaces, as Redis wants a client name (and a library's). */
    public static boolean validName(byte[] name) {
        for (byte b : name) {
            if (b < '!' || b > '~') {
                return false;
            }
        }
        return true;
    }

    private List<CommandSpec> all() {
        return new ArrayList<>(table.all());
    }

    private static RespValue commandList(List<CommandSpec> specs) {
        List<RespValue> out = new ArrayList<>(specs.size());
        for (CommandSpec spec : specs) {
            out.add(spec.info());
        }
        return new RespValue.Array(out);
    }

    private RespValue commandInfo(RespRequest request) {
        if (request.size() == 2) {
            return commandList(all());
        }
        List<RespValue> out = new ArrayList<>();
        for (int i = 2; i < request.size(); i++) {
            CommandSpec spec = lookup(request.arg(i));
            out.add(spec == null ? RespValue.Null.BULK : spec.info());
        }
        return new RespValue.Array(out);
    }

    private RespValue commandDocs(RespRequest request) {
        List<RespValue> flat = new ArrayList<>();
        if (request.size() == 2) {
            for (CommandSpec spec : table.all()) {
                if (spec.docs() != null) {
                    flat.add(RespValue.Bulk.of(spec.name()));
                    flat.add(spec.docs());
                }
            }
        } else {
            for (int i = 2; i < request.size(); i++) {
                CommandSpec spec = lookup(request.arg(i));
                if (spec != null && spec.docs() != null) {
                    flat.add(RespValue.Bulk.of(spec.name()));
                    flat.add(spec.docs());
                }
            }
        }
        return new RespValue.Map(flat);
    }

    /** A name as COMMAND INFO/DOCS take it: {@code get}, or {@code config|get} for a subcommand. */
    private CommandSpec lookup(byte[] name) {
        String n = new String(name, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        int bar = n.indexOf('|');
        if (bar < 0) {
            return table.get(n);
        }
        CommandSpec parent = table.get(n.substring(0, bar));
        return parent == null ? null : parent.subcommands().get(n.substring(bar + 1));
    }

    private RespValue getKeys(RespRequest request) {
        List<byte[]> argv = request.args().subList(2, request.size());
        CommandSpec spec = table.resolve(argv);
        if (spec == null) {
            return Errors.INVALID_COMMAND;
        }
        if (spec.keySpecs().isEmpty() && !spec.has(CommandFlag.MOVABLEKEYS)) {
            return Errors.NO_KEY_ARGUMENTS;
        }
        if (!spec.arityAccepts(argv.size())) {
            return Errors.INVALID_ARGUMENT_COUNT;
        }
        List<Integer> positions = spec.keyPositions(argv);
        if (positions.isEmpty()) {
            return spec.has(CommandFlag.NO_MANDATORY_KEYS) ? RespValue.Array.EMPTY : Errors.INVALID_ARGUMENTS;
        }
        List<RespValue> keys = new ArrayList<>(positions.size());
        for (int p : positions) {
            keys.add(new RespValue.Bulk(argv.get(p)));
        }
        return new RespValue.Array(keys);
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
