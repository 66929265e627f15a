package dev.kvfallback.command;

import dev.kvfallback.protocol.RespRequest;
import dev.kvfallback.protocol.RespValue;
import dev.kvfallback.protocol.RespValueDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The command table: every command of the pinned Redis version with its arity, flags and key
 * positions, read from the generated resource {@code commands.resp} (the RESP3 replies of
 * {@code COMMAND} and {@code COMMAND DOCS}, see {@code scripts/gen-command-table}).
 *
 * <p>Routing, and later the tee and the fallback engine, read only this table, so they agree on
 * what a command is. The raw entries are kept so {@code COMMAND INFO}/{@code DOCS} replay them
 * byte for byte.
 */
public final class CommandTable {

    public static final String RESOURCE = "/dev/kvfallback/command/commands.resp";

    private final Map<String, CommandSpec> commands;
    private final String redisVersion;

    private CommandTable(Map<String, CommandSpec> commands, String redisVersion) {
        this.commands = commands;
        this.redisVersion = redisVersion;
    }

    /** Loads the table shipped in the jar. */
    public static CommandTable load() {
        try (InputStream in = CommandTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CommandTable parse(byte[] resource) {
        int pos = 0;
        String version = "unknown";
        // Header: lines starting with '#', then one empty line, then RESP.
        while (pos < resource.length && (resource[pos] == '#' || resource[pos] == '\n')) {
            int eol = pos;
            while (eol < resource.length && resource[eol] != '\n') {
                eol++;
            }
            String line = new String(resource, pos, eol - pos, StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("redis-server (\\d+\\.\\d+\\.\\d+)").matcher(line);
            if (m.find()) {
                version = m.group(1);
            }
            boolean blank = line.isEmpty();
            pos = eol + 1;
            if (blank) {
                break;
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(resource, pos, resource.length);
        List<RespValue> values = RespValueDecoder.decodeAll(body);
        RespValue.Array infos = (RespValue.Array) values.get(0);
        Map<String, RespValue> docs = new HashMap<>();
        if (values.size() > 1 && values.get(1) instanceof RespValue.Map docMap) {
            for (int i = 0; i + 1 < docMap.flat().size(); i += 2) {
                docs.put(text(docMap.flat().get(i)), docMap.flat().get(i + 1));
            }
        }
        Map<String, CommandSpec> commands = new HashMap<>();
        for (RespValue entry : infos.items()) {
            CommandSpec spec = spec((RespValue.Array) entry, docs);
            commands.put(spec.name(), spec);
        }
        return new CommandTable(Collections.unmodifiableMap(commands), version);
    }

    /** The command with this lower-case name, or null. */
    public CommandSpec get(String name) {
        return commands.get(name);
    }

    /**
     * The spec of a request's command, or of its subcommand for a container given one (CONFIG GET):
     * null if the table has neither. The one lookup of a command by its arguments.
     */
    public CommandSpec resolve(RespRequest request) {
        return subcommand(get(request.name()), request.args()); // the request's lower-case name is kept
    }

    /** {@link #resolve(RespRequest)} for a command's arguments, the name first in any case. */
    public CommandSpec resolve(List<byte[]> argv) {
        return subcommand(find(argv.get(0)), argv);
    }

    /** {@code spec}'s subcommand that {@code argv} names when {@code spec} is a container given one; else {@code spec}. */
    private static CommandSpec subcommand(CommandSpec spec, List<byte[]> argv) {
        if (spec != null && spec.isContainer() && argv.size() > 1) {
            return spec.subcommands().get(new String(argv.get(1), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
        }
        return spec;
    }

    /** Redis's error for a request {@link #resolve} found nothing for: an unknown command, or subcommand. */
    public RespValue.Error unknown(RespRequest request) {
        CommandSpec container = get(request.name());
        return container == null ? Errors.unknownCommand(request.args())
                : Errors.unknownSubcommand(container.name(), request.arg(1));
    }

    /** Looks a name up without regard to case, as Redis does. */
    public CommandSpec find(byte[] name) {
        return commands.get(new String(name, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
    }

    public Collection<CommandSpec> all() {
        return commands.values();
    }

    public int size() {
        return commands.size();
    }

    /** The Redis version the table was generated from. */
    public String redisVersion() {
        return redisVersion;
    }

    private static CommandSpec spec(RespValue.Array entry, Map<String, RespValue> docs) {
        List<RespValue> f = entry.items();
        String name = text(f.get(0)).toLowerCase(Locale.ROOT);
        int arity = (int) ((RespValue.Int) f.get(1)).value();
        Set<CommandFlag> flags = EnumSet.noneOf(CommandFlag.class);
        for (RespValue flag : items(f.get(2))) {
            CommandFlag known = CommandFlag.of(text(flag));
            if (known != null) {
                flags.add(known);
            }
        }
        Set<AclCategory> categories = EnumSet.noneOf(AclCategory.class);
        for (RespValue category : items(f.get(6))) {
            AclCategory known = AclCategory.of(text(category));
            if (known != null) {
                categories.add(known);
            }
        }
        int first = (int) ((RespValue.Int) f.get(3)).value();
        int last = (int) ((RespValue.Int) f.get(4)).value();
        int step = (int) ((RespValue.Int) f.get(5)).value();
        List<KeySpec> keySpecs = new ArrayList<>();
        if (f.size() > 8) {
            for (RespValue ks : items(f.get(8))) {
                keySpecs.add(keySpec(map(ks)));
            }
        }
        Map<String, CommandSpec> subs = new HashMap<>();
        if (f.size() > 9) {
            for (RespValue sub : items(f.get(9))) {
                CommandSpec s = spec((RespValue.Array) sub, subDocs(docs.get(name)));
                subs.put(s.name().substring(s.name().indexOf('|') + 1), s);
            }
        }
        return new CommandSpec(name, arity, Collections.unmodifiableSet(flags), Collections.unmodifiableSet(categories),
                first, last, step,
                List.copyOf(keySpecs), Collections.unmodifiableMap(subs), entry, docs.get(name));
    }

    private static Map<String, RespValue> subDocs(RespValue parentDoc) {
        Map<String, RespValue> out = new HashMap<>();
        if (parentDoc != null) {
            RespValue subs = map(parentDoc).get("subcommands");
            if (subs != null) {
                List<RespValue> flat = ((RespValue.Map) subs).flat();
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    out.put(text(flat.get(i)).toLowerCase(Locale.ROOT), flat.get(i + 1));
                }
            }
        }
        return out;
    }

    private static KeySpec keySpec(Map<String, RespValue> m) {
        Map<String, RespValue> bs = map(m.get("begin_search"));
        Map<String, RespValue> bsSpec = map(bs.get("spec"));
        KeySpec.BeginSearch begin = switch (text(bs.get("type"))) {
            case "index" -> new KeySpec.Index(integer(bsSpec.get("index")));
            case "keyword" -> new KeySpec.Keyword(text(bsSpec.get("keyword")), integer(bsSpec.get("startfrom")));
            default -> new KeySpec.Unknown();
        };
        Map<String, RespValue> fk = map(m.get("find_keys"));
        Map<String, RespValue> fkSpec = map(fk.get("spec"));
        KeySpec.FindKeys find = switch (text(fk.get("type"))) {
            case "range" -> new KeySpec.Range(integer(fkSpec.get("lastkey")), integer(fkSpec.get("keystep")),
                    integer(fkSpec.get("limit")));
            case "keynum" -> new KeySpec.KeyNum(integer(fkSpec.get("keynumidx")), integer(fkSpec.get("firstkey")),
                    integer(fkSpec.get("keystep")));
            default -> new KeySpec.UnknownFind();
        };
        return new KeySpec(begin, find);
    }

    private static List<RespValue> items(RespValue v) {
        if (v instanceof RespValue.Array a) {
            return a.items();
        } else if (v instanceof RespValue.Set s) {
            return s.items();
        }
        return List.of();
    }

    private static Map<String, RespValue> map(RespValue v) {
        Map<String, RespValue> out = new HashMap<>();
        if (v instanceof RespValue.Map m) {
            for (int i = 0; i + 1 < m.flat().size(); i += 2) {
                out.put(text(m.flat().get(i)), m.flat().get(i + 1));
            }
        }
        return out;
    }

    private static int integer(RespValue v) {
        return v instanceof RespValue.Int i ? (int) i.value() : 0;
    }

    static String text(RespValue v) {
        if (v instanceof RespValue.Bulk b) {
            return b.text();
        } else if (v instanceof RespValue.Simple s) {
            return s.text();
        }
        return String.valueOf(v);
    }
}
