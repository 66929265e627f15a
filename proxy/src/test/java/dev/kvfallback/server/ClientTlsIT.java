package dev.kvfallback.server;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RawClient;
import dev.kvfallback.testing.RedisServer;
import dev.kvfallback.testing.TlsCerts;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.ClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS on the client port: a client that trusts the CA talks to the proxy as to a TLS Redis; a
 * plain-TCP client gets nothing; with tls-auth-clients yes, only a client with a certificate from
 * the configured CA gets in. The upstream stays plain: the two sides are configured apart.
 */
class ClientTlsIT {

    private static TlsCerts certs;
    private static RedisServer redis;

    @BeforeAll
    static void start() throws Exception {
        certs = TlsCerts.generate();
        redis = RedisServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        redis.close();
    }

    @Test
    void aClientTrustingTheCaTalksTlsAndAPlainOneGetsNothing() throws Exception {
        try (KvFallback proxy = Proxy.start(redis.url(), "--tls-cert-file", certs.serverCert().toString(),
                "--tls-key-file", certs.serverKey().toString(), "--requirepass", "tls-pw")) {
            assertEquals("v", roundTrip(proxy, false));
            try (RawClient plain = new RawClient(proxy.port())) {
                plain.send("AUTH", "tls-pw");
                assertTrue(plain.discardUntilClosed(5000) >= 0, "a plain-TCP client was kept connected");
            } catch (IOException closedWhileWriting) {
                // Closed by the proxy before the request was even written: refused too.
            }
            assertEquals("v", roundTrip(proxy, false), "the plain client did not disturb TLS clients");
        }
    }

    @Test
    void withClientAuthenticationOnlyACertificateFromTheCaGetsIn() throws Exception {
        try (KvFallback proxy = Proxy.start(redis.url(), "--tls-cert-file", certs.serverCert().toString(),
                "--tls-key-file", certs.serverKey().toString(), "--tls-ca-cert-file", certs.caCert().toString(),
                "--tls-auth-clients", "yes", "--requirepass", "tls-pw")) {
            assertEquals("v", roundTrip(proxy, true));
            assertThrows(RedisConnectionException.class, () -> roundTrip(proxy, false));
        }
    }

    /** Connects with Lettuce over TLS (with the client certificate or without), AUTHs, SETs and GETs. */
    private static String roundTrip(KvFallback proxy, boolean withCertificate) {
        SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider().trustManager(certs.caCert().toFile());
        if (withCertificate) {
            ssl.keyManager(certs.clientCert().toFile(), certs.clientKey().toFile(), null);
        }
        RedisClient client = RedisClient.create();
        client.setOptions(ClientOptions.builder().sslOptions(ssl.build()).build());
        RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(proxy.port()).withSsl(true)
                .withPassword("tls-pw".toCharArray()).build();
        try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
            connection.sync().set("tls:k", "v");
            return connection.sync().get("tls:k");
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
