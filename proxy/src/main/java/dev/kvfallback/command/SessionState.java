package dev.kvfallback.command;

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
    public boolean authenticated;
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

    public SessionState(long id, String remoteAddress, String localAddress, boolean authenticated, int db) {
        this.id = id;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        this.authenticated = authenticated;
        this.db = db;
    }

    /** Channel plus pattern subscriptions: the count Redis reports in (un)subscribe frames. */
    public int subscriptions() {
        return channels.size() + patterns.size();
    }

    /** Whether the client is in RESP2 subscribed mode, where only (un)subscribe, PING, QUIT, RESET run. */
    public boolean inSubscribedMode() {
        return protocol == 2 && (subscriptions() > 0 || !shardChannels.isEmpty());
    }
}
