/*
 * Design: the proxy's own accounts, checked before anything reaches Redis (the proxy talks to
 * Redis with its own credentials from redis-url, so a client never authenticates to Redis itself).
 * Passwords are kept only as SHA-256 digests and compared with MessageDigest.isEqual over digests
 * of equal length, so neither a password's length nor how much of it matched shows in the time an
 * AUTH takes; an unknown user is compared against a dummy digest for the same reason. Access is
 * decided from the command table's ACL categories, as Redis's ACL rules do:
 * read-only is +@all -@write -@admin minus the scripts that may write; read-write is +@all -@admin.
 */
package dev.kvfallback.command;

import dev.kvfallback.config.Secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Who may connect: the default user (Redis's {@code requirepass}) and named users, each with an {@link Access}. */
public final class Users {

    /** What a user may run. */
    public enum Access {
        /** Every command, as Redis's default user. */
        ALL,
        /** Everything but administration ({@code @admin}: CONFIG, ACL, CLIENT KILL, DEBUG, SHUTDOWN...). */
        READ_WRITE,
        /** Reads only: no {@code @write}, no {@code @admin}, no script that may write (EVAL_RO is fine). */
        READ_ONLY;

        /** Whether a command with these flags and ACL categories is allowed. */
        public boolean permits(CommandSpec spec) {
            return switch (this) {
                case ALL -> true;
                case READ_WRITE -> !spec.in(AclCategory.ADMIN);
                case READ_ONLY -> !spec.in(AclCategory.ADMIN) && !spec.in(AclCategory.WRITE)
                        && !(spec.in(AclCategory.SCRIPTING) && !spec.has(CommandFlag.READONLY));
            };
        }

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

    /** A named user: its password's SHA-256 digest and its access. */
    public record User(String name, byte[] passwordDigest, Access access) {
    }

    public static final String DEFAULT_USER = "default";
    private static final byte[] DUMMY = Secrets.digest("no such user");

    private final Map<String, User> users;
    private final boolean required;
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param requirePass the default user's password, or null: then the default user needs none
     *                    unless named users exist, in which case it is disabled
     * @param named       the named users (a user named {@code default} replaces the requirepass one)
     */
    public Users(String requirePass, List<User> named) {
        Map<String, User> all = new java.util.LinkedHashMap<>();
        if (requirePass != null) {
            all.put(DEFAULT_USER, new User(DEFAULT_USER, Secrets.digest(requirePass), Access.ALL));
        }
        all.putAll(named.stream().collect(Collectors.toMap(User::name, Function.identity(), (a, b) -> b)));
        this.users = Map.copyOf(all);
        this.required = !users.isEmpty();
    }

    /** No password anywhere: every client is the default user with every right. */
    public static Users none() {
        return new Users(null, List.of());
    }

    /** A user given as a plain password (the configuration's {@code password}). */
    public static User withPassword(String name, String password, Access access) {
        return new User(name, Secrets.digest(password), access);
    }

    /** A user given as the hex SHA-256 of its password (the configuration's {@code password-sha256}). */
    public static User withDigest(String name, String hex, Access access) {
        byte[] digest = HexFormat.of().parseHex(hex.trim().toLowerCase(Locale.ROOT));
        if (digest.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest is 64 hex digits");
        }
        return new User(name, digest, access);
    }

    /** Whether a new connection must authenticate before running commands. */
    public boolean required() {
        return required;
    }

    /** The user a connection starts as when none is required; null when one is. */
    public User initial() {
        return required ? null : new User(DEFAULT_USER, DUMMY, Access.ALL);
    }

    /**
     * The user {@code name} (null: {@code default}, as a one-argument AUTH) if {@code password} is
     * theirs, else null, counted as a failure. With no password configured the default user takes
     * any password, as Redis's {@code nopass} default user does.
     */
    public User authenticate(byte[] name, byte[] password) {
        String user = name == null ? DEFAULT_USER : new String(name, StandardCharsets.UTF_8);
        if (!required && user.equals(DEFAULT_USER)) {
            return initial();
        }
        User found = users.get(user);
        boolean match = MessageDigest.isEqual(found == null ? DUMMY : found.passwordDigest(), Secrets.digest(password));
        if (found != null && match) {
            return found;
        }
        failures.incrementAndGet();
        return null;
    }

    /** Whether a user of this name exists: {@code default} always does, as in Redis (perhaps disabled). */
    public boolean exists(String name) {
        return name.equals(DEFAULT_USER) || users.containsKey(name);
    }

    /** AUTH and HELLO AUTH attempts refused since start. */
    public long failures() {
        return failures.get();
    }
}
