package dev.kvfallback.command;

import dev.kvfallback.config.UserAccount;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * What Redis keeps per client connection and the proxy now keeps instead: protocol version,
 * authentication, name, selected db, transaction and subscription state. Confined to the
 * client's event loop.
 */
public final class SessionState {

    public final long id;
    public final long createdAtMillis = System.currentTimeMillis();
    public final String remoteAddress;
    public final String localAddress;
    public int protocol = 2;
    /** Whether {@link #user} is set: read by the request decoder for its unauthenticated limits. */
    public boolean authenticated;
    /** Who the client is authenticated as; null before it has. */
    public UserAccount user;
    public byte[] name;
    public int db;
    public boolean inMulti;
    public boolean watching;
    public boolean tracking;
    public long lastCommandAtMillis = createdAtMillis;
    public String lastCommand = "NULL";
    public final Set<ByteBuffer> channels = new HashSet<>();
    public final Set<ByteBuffer> patterns = new HashSet<>();
    public final Set<ByteBuffer> shardChannels = new HashSet<>();

    /** @param user the user a connection starts as, null when it must authenticate */
    public SessionState(long id, String remoteAddress, String localAddress, UserAccount user, int db) {
        this.id = id;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        login(user);
        this.db = db;
    }

    /** Authenticates the client as {@code user}; null logs it out (RESET with a password required). */
    public void login(UserAccount user) {
        this.user = user;
        this.authenticated = user != null;
    }

    /** Whether the client may run {@code spec}: authenticated as a user whose access permits it. */
    public boolean permits(CommandSpec spec) {
        return user != null && Users.permits(user.access(), spec);
    }

    /** Channel plus pattern subscriptions: the count Redis reports in (un)subscribe frames. */
    public int subscriptions() {
        return channels.size() + patterns.size();
    }

    /** Whether the client holds any subscription: a channel, a pattern or a shard channel. */
    public boolean subscribed() {
        return subscriptions() > 0 || !shardChannels.isEmpty();
    }

    /** Whether the client is in RESP2 subscribed mode, where only (un)subscribe, PING, QUIT, RESET run. */
    public boolean inSubscribedMode() {
        return protocol == 2 && subscribed();
    }
}
