package dev.kvfallback.mongo;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A MongoDB-wire-protocol server in this process (de.bwaldvogel mongo-java-server) that keeps its
 * data in an H2 MVStore file in a data directory, for running without a real MongoDB. It listens on
 * a free port of 127.0.0.1 only; the proxy talks to it with the same driver and code as to MongoDB.
 *
 * <p>Durability: H2 commits in the background about once a second and on {@link #close}, so a
 * crash can lose the last second of writes. Production belongs on a real MongoDB.
 *
 * <p>Starting and closing block briefly (binding, opening and flushing the file): call them at
 * startup and shutdown, never on an event loop.
 */
public final class EmbeddedMongo implements AutoCloseable {

    /** The file in the data directory (H2 adds nothing to the name). */
    public static final String FILE_NAME = "kvfallback.mv.db";

    private final Path file;
    private final MongoServer server;
    private final InetSocketAddress address;

    private EmbeddedMongo(Path file, MongoServer server, InetSocketAddress address) {
        this.file = file;
        this.server = server;
        this.address = address;
    }

    /** Opens (or creates) the store in {@code dataDir} and starts serving it on a free loopback port. */
    public static EmbeddedMongo start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** Opens (or creates) the store in {@code dataDir} and serves it on {@code port} of 127.0.0.1 (0: a free one). */
    public static EmbeddedMongo start(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
        }
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        // Opening fails fast with "file is locked" if another process holds this store.
        H2Backend backend = new H2Backend(file.toString());
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port); // on failure it shuts down and closes the backend itself
        return new EmbeddedMongo(file, server, server.getLocalAddress());
    }

    /** {@code mongodb://127.0.0.1:PORT}. */
    public String connectionString() {
        return "mongodb://" + address.getHostString() + ":" + address.getPort();
    }

    /** The H2 file the data lives in. */
    public Path file() {
        return file;
    }

    /** Closes the clients and the port, then the H2 store, which writes out what is pending. */
    @Override
    public void close() {
        server.shutdownNow();
    }
}
