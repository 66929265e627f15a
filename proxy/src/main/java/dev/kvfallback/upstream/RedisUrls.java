package dev.kvfallback.upstream;

import io.lettuce.core.RedisURI;

/**
 * Parses upstream URLs as hosted Redis hands them out and redacts their secrets for display.
 *
 * <p>Accepted: {@code redis://} and {@code rediss://} (TLS), {@code user:password@} or
 * {@code :password@}, {@code default:TOKEN@host:port} (Upstash, Vercel KV's {@code KV_URL}), and a
 * database number as the path ({@code /2}).
 */
public final class RedisUrls {

    private RedisUrls() {
    }

    /** Parses {@code url}; an {@link IllegalArgumentException} names the problem without echoing secrets. */
    public static RedisURI parse(String url) {
        String lower = url.toLowerCase(java.util.Locale.ROOT);
        if (!lower.startsWith("redis://") && !lower.startsWith("rediss://")) {
            throw new IllegalArgumentException("Redis URL must start with redis:// or rediss://: " + redact(url));
        }
        try {
            return RedisURI.create(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid Redis URL " + redact(url));
        }
    }

    /** The URL with any password replaced by {@code ***}: {@code rediss://default:***@host:6379/0}. */
    public static String redact(String url) {
        try {
            java.net.URI u = new java.net.URI(url);
            if (u.getRawUserInfo() == null) {
                return url;
            }
            String info = u.getRawUserInfo();
            int colon = info.indexOf(':');
            String user = colon < 0 ? "" : info.substring(0, colon);
            String rest = url.substring(url.indexOf('@') + 1);
            return u.getScheme() + "://" + user + ":***@" + rest;
        } catch (java.net.URISyntaxException e) {
            return url.replaceAll("(://[^@/]*)@", "://***@");
        }
    }
}
