/*
 * Design: one redactor for every text that leaves the process — log lines (see
 * logging.RedactingEncoder), the admin endpoint's JSON, error replies carrying an exception's
 * message. It knows the configured secrets by value (the upstream's password, MongoDB's,
 * requirepass, the admin key) and also masks any user:password@ in a URI it has never seen
 * (a driver's message quoting a host list, say). Named users' passwords are held only as digests
 * and travel only inside AUTH/HELLO, which nothing logs.
 */
package dev.kvfallback.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The configured secrets, and a redactor that replaces them with {@code ***} in any text. */
public final class Secrets {

    public static final String MASK = "***";
    /**
     * Shorter values are not masked by value: a short one would blank every word or number that
     * holds it, and by doing so show what it is.
     */
    static final int MIN_LENGTH = 6;
    /** {@code scheme://user:password@}, also as JSON writes it ({@code scheme:\/\/user:password@}). */
    private static final Pattern URI_PASSWORD =
            Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*:(?://|\\\\/\\\\/)[^\\s:@/?#\\\\]*):[^\\s@/?#\\\\]*@");
    private static final Pattern USER_INFO = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://([^@/?#]*)@");

    private static final Secrets NONE = new Secrets(List.of());

    private final List<String> values;

    /** Secrets given by value; blanks and very short ones are skipped (see {@link #MIN_LENGTH}). */
    public Secrets(List<String> values) {
        Set<String> kept = new LinkedHashSet<>();
        for (String v : values) {
            if (v != null && v.length() >= MIN_LENGTH) {
                kept.add(v);
                kept.add(jsonEscaped(v));
                kept.add(jsonEscaped(v).replace("/", "\\/")); // logback's JSON writes / as \/
            }
        }
        List<String> sorted = new ArrayList<>(kept);
        // Longest first, so a secret containing another is masked whole.
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        this.values = List.copyOf(sorted);
    }

    /** Only the URI rule: for text produced before the configuration is known. */
    public static Secrets none() {
        return NONE;
    }

    /** The secrets of a configuration: passwords in both URIs, requirepass and the admin key. */
    public static Secrets of(ProxyConfig config) {
        List<String> values = new ArrayList<>();
        values.add(config.requirePass());
        values.add(config.adminKey());
        values.addAll(uriPasswords(config.redisUrl()));
        if (config.mongodbUri() != null) {
            values.addAll(uriPasswords(config.mongodbUri()));
        }
        return new Secrets(values);
    }

    /** {@code text} with every known secret and every URI password replaced by {@code ***}; null stays null. */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : values) {
            if (out.contains(secret)) {
                out = out.replace(secret, MASK);
            }
        }
        if (out.indexOf('@') >= 0) {
            out = URI_PASSWORD.matcher(out).replaceAll("$1:" + Matcher.quoteReplacement(MASK) + "@");
        }
        return out;
    }

    /**
     * A JSON-ready tree (maps, lists, strings, numbers...) with every string redacted: the secrets
     * are looked for in text, never in numbers or in the document's syntax.
     */
    public Object redactStrings(Object tree) {
        if (tree instanceof String text) {
            return redact(text);
        }
        if (tree instanceof java.util.Map<?, ?> map) {
            java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, redactStrings(v)));
            return out;
        }
        if (tree instanceof java.util.List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(redactStrings(v)));
            return out;
        }
        return tree;
    }

    /** The password of a URI's {@code user:password@} (a lone user info counts too: Redis URLs put a token there), raw and decoded. */
    static List<String> uriPasswords(String uri) {
        Matcher m = USER_INFO.matcher(uri);
        if (!m.find()) {
            return List.of();
        }
        String info = m.group(1);
        String raw = info.substring(info.indexOf(':') + 1);
        List<String> out = new ArrayList<>(List.of(raw));
        try {
            out.add(URLDecoder.decode(raw, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            // Not percent-encoded: the raw form is all there is.
        }
        return out;
    }

    /**
     * The SHA-256 digest a password or key is kept as. Comparing two digests with
     * {@link java.security.MessageDigest#isEqual} takes the same time whatever the given value's
     * length or how much of it matches: what the admin key and the users' passwords are checked with.
     */
    public static byte[] digest(byte[] secret) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(secret);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** {@link #digest(byte[])} of a string's UTF-8 bytes. */
    public static byte[] digest(String secret) {
        return digest(secret.getBytes(StandardCharsets.UTF_8));
    }

    private static String jsonEscaped(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
