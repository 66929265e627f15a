package dev.kvfallback.command;

import java.util.Locale;

/**
 * An ACL category of a command ({@code COMMAND INFO}'s seventh field: {@code @write}, {@code @admin},
 * ...), which access checks read. One the table holds that this enum does not know is dropped.
 */
public enum AclCategory {
    KEYSPACE, READ, WRITE, SET, SORTEDSET, LIST, HASH, STRING, BITMAP, HYPERLOGLOG, GEO, STREAM, PUBSUB, ADMIN,
    FAST, SLOW, BLOCKING, DANGEROUS, CONNECTION, TRANSACTION, SCRIPTING;

    /** The category Redis names {@code @name} (or {@code name}), or null for one this enum does not know. */
    static AclCategory of(String name) {
        String bare = name.startsWith("@") ? name.substring(1) : name;
        try {
            return valueOf(bare.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
