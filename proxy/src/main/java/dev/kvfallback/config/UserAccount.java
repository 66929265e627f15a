package dev.kvfallback.config;

import java.util.HexFormat;
import java.util.Locale;

/**
 * A named user of the proxy as the configuration gives it ({@code users:}): its password's SHA-256
 * digest and its access. What each access permits is decided from the command table, in
 * {@code command.Users}; the configuration only names it.
 */
public record UserAccount(String name, byte[] passwordDigest, Access access) {

    /** What a user may run. */
    public enum Access {
        /** Every command, as Redis's default user. */
        ALL,
        /** Everything but administration ({@code @admin}: CONFIG, ACL, CLIENT KILL, DEBUG, SHUTDOWN...). */
        READ_WRITE,
        /** Reads only: no {@code @write}, no {@code @admin}, no script that may write (EVAL_RO is fine). */
        READ_ONLY;

        /** The name the configuration uses: {@code all}, {@code read-write}, {@code read-only}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The access named {@code name} in the configuration, or null. */
        public static Access parse(String name) {
            for (Access a : values()) {
                if (a.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return a;
                }
            }
            return null;
        }
    }

    /** A user given as a plain password (the configuration's {@code password}). */
    public static UserAccount withPassword(String name, String password, Access access) {
        return new UserAccount(name, Secrets.digest(password), access);
    }

    /** A user given as the hex SHA-256 of its password (the configuration's {@code password-sha256}). */
    public static UserAccount withDigest(String name, String hex, Access access) {
        byte[] digest = HexFormat.of().parseHex(hex.trim().toLowerCase(Locale.ROOT));
        if (digest.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest is 64 hex digits");
        }
        return new UserAccount(name, digest, access);
    }
}
