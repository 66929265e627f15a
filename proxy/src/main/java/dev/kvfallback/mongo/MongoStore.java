package dev.kvfallback.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MongoDB side of the proxy: a reactive client on {@code MONGODB_URI}, or, without one, on an
 * {@link EmbeddedMongo} in the data directory; the {@link MongoKeyspace} on it and the
 * {@link MongoSweeper} that removes expired keys.
 *
 * <p>Opening never waits for MongoDB: an unreachable server surfaces as a failed operation after
 * the server selection timeout (3 s unless the URI sets {@code serverSelectionTimeoutMS}), and
 * {@link #ping} reports it for health checks. A malformed URI fails {@link #open} at once.
 */
public final class MongoStore implements AutoCloseable {

    static final Duration SERVER_SELECTION_TIMEOUT = Duration.ofSeconds(3);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    private final MongoClient client;
    private final EmbeddedMongo embedded;
    private final MongoKeyspace keyspace;
    private final MongoSweeper sweeper;
    private final String description;

    private MongoStore(MongoClient client, EmbeddedMongo embedded, String databaseName, Duration sweepInterval,
                       String description, boolean exclusive) {
        this.client = client;
        this.embedded = embedded;
        this.keyspace = new MongoKeyspace(client.getDatabase(databaseName), exclusive);
        this.sweeper = new MongoSweeper(keyspace, sweepInterval, System::currentTimeMillis);
        this.description = description;
    }

    /**
     * Connects to {@code uri}, or with a null one starts the embedded store in {@code dataDir}
     * (blocking briefly while it opens its file: call at startup, not on an event loop).
     *
     * @throws IllegalArgumentException if the URI is malformed (the message has no secrets)
     */
    public static MongoStore open(String uri, String databaseName, Path dataDir, Duration sweepInterval) {
        return open(uri, databaseName, dataDir, sweepInterval, uri == null);
    }

    /**
     * As {@link #open(String, String, Path, Duration)}, saying whether this process will be the
     * database's only writer (true suits the embedded store; see {@link MongoKeyspace}).
     */
    public static MongoStore open(String uri, String databaseName, Path dataDir, Duration sweepInterval,
                                  boolean exclusive) {
        if (uri != null) {
            return new MongoStore(MongoClients.create(settings(parse(uri))), null, databaseName, sweepInterval,
                    redact(uri), exclusive);
        }
        EmbeddedMongo embedded = EmbeddedMongo.start(dataDir);
        try {
            MongoClient client = MongoClients.create(settings(new ConnectionString(embedded.connectionString())));
            return new MongoStore(client, embedded, databaseName, sweepInterval,
                    "embedded (H2 file in " + dataDir.toAbsolutePath().normalize() + ")", exclusive);
        } catch (RuntimeException e) {
            embedded.close();
            throw e;
        }
    }

    private static ConnectionString parse(String uri) {
        try {
            return new ConnectionString(uri);
        } catch (RuntimeException e) {
            // The driver's message may quote the URI, password and all.
            throw new IllegalArgumentException("invalid MongoDB URI " + redact(uri));
        }
    }

    /** The URI's settings, with short timeouts where it sets none, so nothing waits for long. */
    private static MongoClientSettings settings(ConnectionString uri) {
        return MongoClientSettings.builder()
                .applicationName("kvfallback")
                .applyConnectionString(uri)
                .applyToClusterSettings(b -> {
                    if (uri.getServerSelectionTimeout() == null) {
                        b.serverSelectionTimeout(SERVER_SELECTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                })
                .applyToSocketSettings(b -> {
                    if (uri.getConnectTimeout() == null) {
                        b.connectTimeout(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    if (uri.getSocketTimeout() == null) {
                        b.readTimeout(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                })
                .build();
    }

    /** The keyspace on the configured database. */
    public MongoKeyspace keyspace() {
        return keyspace;
    }

    /** For logs and the admin API: the URI without secrets, or {@code embedded (H2 file in DIR)}. */
    public String description() {
        return description;
    }

    /** Whether this is the embedded store rather than a MongoDB server. */
    public boolean embedded() {
        return embedded != null;
    }

    /** Completes when MongoDB answers a {@code ping}; fails if it cannot be reached in time. */
    public CompletionStage<Void> ping() {
        return Mono.from(client.getDatabase("admin").runCommand(new BsonDocument("ping", new BsonInt32(1))))
                .then().toFuture();
    }

    /** Stops the sweeper, the client and, if there is one, the embedded server (flushing its file). */
    @Override
    public void close() {
        sweeper.close();
        client.close();
        if (embedded != null) {
            embedded.close();
        }
    }

    private static final Pattern USER_INFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^@/?#]*)@");
    private static final Pattern SECRET_OPTION =
            Pattern.compile("(?i)([?&](?:authMechanismProperties|tlsCertificateKeyFilePassword)=)[^&#]*");

    /**
     * {@code uri} with secrets replaced by {@code ***}: the password
     * ({@code mongodb+srv://app:***@cluster0.example.net/db}) and options that carry credentials.
     */
    public static String redact(String uri) {
        Matcher m = USER_INFO.matcher(uri);
        String out = uri;
        if (m.find() && m.group(2).indexOf(':') >= 0) { // a user name alone is no secret
            String user = m.group(2).substring(0, m.group(2).indexOf(':'));
            out = m.group(1) + user + ":***@" + uri.substring(m.end());
        }
        return SECRET_OPTION.matcher(out).replaceAll("$1***");
    }
}
