package dev.kvfallback.command;

import java.util.List;

/**
 * A Redis 7 key spec: where the search for keys begins (an index, or after a keyword) and how
 * keys are found from there (a range, or a count taken from an argument). Interpreted exactly as
 * Redis's {@code getKeysUsingKeySpecs}.
 */
public record KeySpec(BeginSearch begin, FindKeys find) {

    /** Where the key search starts. */
    public sealed interface BeginSearch {
    }

    /** Keys start at a fixed argument index. */
    public record Index(int pos) implements BeginSearch {
    }

    /** Keys start after {@code keyword}, searched from {@code startFrom} (negative: from the end, backwards). */
    public record Keyword(String keyword, int startFrom) implements BeginSearch {
    }

    /** Not describable (the command finds its keys by itself). */
    public record Unknown() implements BeginSearch {
    }

    /** How keys are found after the start. */
    public sealed interface FindKeys {
    }

    /** Keys from the start to {@code lastKey} (relative; negative counts from the end) every {@code step}. */
    public record Range(int lastKey, int step, int limit) implements FindKeys {
    }

    /** The argument at {@code keyNumIdx} holds the key count; keys start at {@code firstKey}. */
    public record KeyNum(int keyNumIdx, int firstKey, int step) implements FindKeys {
    }

    /** Not describable. */
    public record UnknownFind() implements FindKeys {
    }

    /** Key positions in {@code argv} (index 0 is the command name), in order; empty if none apply. */
    public static List<Integer> positions(List<KeySpec> specs, List<byte[]> argv, int arity) {
        List<Integer> keys = new java.util.ArrayList<>();
        int argc = argv.size();
        for (KeySpec spec : specs) {
            int first;
            if (spec.begin instanceof Index index) {
                first = index.pos;
            } else if (spec.begin instanceof Keyword kw) {
                first = keywordStart(kw, argv);
                if (first == 0) {
                    continue;
                }
            } else {
                continue;
            }
            int last;
            int step;
            if (spec.find instanceof Range range) {
                if (range.lastKey >= 0) {
                    last = first + range.lastKey;
                } else if (range.limit == 0) {
                    last = argc + range.lastKey;
                } else {
                    last = first + ((argc - first) / range.limit + range.lastKey);
                }
                step = range.step;
            } else if (spec.find instanceof KeyNum keyNum) {
                int at = first + keyNum.keyNumIdx;
                if (keyNum.keyNumIdx >= argc || at >= argc) {
                    continue;
                }
                long count;
                try {
                    count = Long.parseLong(new String(argv.get(at), java.nio.charset.StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (count < 0) {
                    continue;
                }
                first += keyNum.firstKey;
                // A client's key count may be huge: positions past the arguments are skipped anyway.
                last = (int) Math.min(first + count - 1, argc - 1);
                step = keyNum.step;
            } else {
                continue;
            }
            for (int j = first; j <= last && step > 0; j += step) {
                if (j >= argc || j < first) {
                    // Variable arity: Redis skips positions past the end and lets the command report it.
                    continue;
                }
                keys.add(j);
            }
        }
        return keys;
    }

    /**
     * SORT and SORT_RO find their keys by themselves in Redis ({@code sortGetKeys}): the sorted key,
     * and the STORE destination, skipping the arguments of LIMIT, GET and BY.
     */
    public static List<Integer> sortPositions(List<byte[]> argv) {
        // Redis's sortGetKeys: options take no argument unless listed; only the last STORE counts
        // (as in SORT itself), and a STORE's key is looked at as an option name too.
        int store = -1;
        for (int i = 2; i < argv.size(); i++) {
            String arg = new String(argv.get(i), java.nio.charset.StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
            switch (arg) {
                case "limit" -> i += 2;
                case "get", "by" -> i += 1;
                case "store" -> store = i + 1 < argv.size() ? i + 1 : store;
                default -> { }
            }
        }
        return store < 0 ? List.of(1) : List.of(1, store);
    }

    private static int keywordStart(Keyword kw, List<byte[]> argv) {
        int argc = argv.size();
        int start = kw.startFrom > 0 ? kw.startFrom : argc + kw.startFrom;
        int end = kw.startFrom > 0 ? argc - 1 : 1;
        for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
            if (i >= argc || i < 1) {
                break;
            }
            if (new String(argv.get(i), java.nio.charset.StandardCharsets.UTF_8).equalsIgnoreCase(kw.keyword)) {
                return i + 1;
            }
        }
        return 0;
    }
}
