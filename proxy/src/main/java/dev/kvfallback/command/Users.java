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
import dev.kvfallback.config.UserAccount;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Who may connect: the default user (Redis's {@code requirepass}) and named users, each with an {@link UserAccount.Access}. */
public final class Users {

    /** Whether a user of {@code access} may run a command of {@code spec}'s flags and ACL categories. */
    public static boolean permits(UserAccount.Access access, CommandSpec spec) {
        return switch (access) {
            case ALL -> true;
            case READ_WRITE -> !spec.in(AclCategory.ADMIN);
            case READ_ONLY -> !spec.in(AclCategory.ADMIN) && !spec.in(AclCategory.WRITE)
                    && !(spec.in(AclCategory.SCRIPTING) && !spec.has(CommandFlag.READONLY));
        };
    }

    public static final String DEFAULT_USER = "default";
    private static final byte[] DUMMY = Secrets.digest("no such user");

    private final Map<String, UserAccount> users;
    private final boolean required;
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param requirePass the default user's password, or null: then the default user needs none
     *                    unless named users exist, in which case it is disabled
     * @param named       the named users (a user named {@code default} replaces the requirepass one)
     */
    public Users(String requirePass, List<UserAccount> named) {
        Map<String, UserAccount> all = new java.util.LinkedHashMap<>();
        if (requirePass != null) {
            all.put(DEFAULT_USER, new UserAccount(DEFAULT_USER, Secrets.digest(requirePass), UserAccount.Access.ALL));
        }
        all.putAll(named.stream().collect(Collectors.toMap(UserAccount::name, Function.identity(), (a, b) -> b)));
        this.users = Map.copyOf(all);
        this.required = !users.isEmpty();
    }

    /** No password anywhere: every client is the default user with every right. */
    public static Users none() {
        return new Users(null, List.of());
    }

    /** Whether a new connection must authenticate before running commands. */
    public boolean required() {
        return required;
    }

    /** The user a connection starts as when none is required; null when one is. */
    public UserAccount initial() {
        return required ? null : new UserAccount(DEFAULT_USER, DUMMY, UserAccount.Access.ALL);
    }

    /**
     * The user {@code name} (null: {@code default}, as a one-argument AUTH) if {@code password} is
     * theirs, else null, counted as a failure. With no password configured the default user takes
     * any password, as Redis's {@code nopass} default user does.
     */
    public UserAccount authenticate(byte[] name, byte[] password) {
        String user = name == null ? DEFAULT_USER : new String(name, StandardCharsets.UTF_8);
        if (!required && user.equals(DEFAULT_USER)) {
            return initial();
        }
        UserAccount found = users.get(user);
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
