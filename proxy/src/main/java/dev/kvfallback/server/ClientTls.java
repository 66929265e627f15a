package dev.kvfallback.server;

import dev.kvfallback.config.ProxyConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import java.io.UncheckedIOException;

/**
 * TLS on the client port: the server side of Netty's {@link SslContext}, from PEM files, with
 * client certificates required, optional or not asked for, as Redis's {@code tls-auth-clients}.
 */
public final class ClientTls {

    private ClientTls() {
    }

    /** The context every client connection's {@code SslHandler} is made from; throws if a file is unusable. */
    public static SslContext context(ProxyConfig.TlsConfig tls) {
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(tls.certFile().toFile(), tls.keyFile().toFile())
                    .protocols("TLSv1.3", "TLSv1.2");
            if (tls.caCertFile() != null) {
                builder.trustManager(tls.caCertFile().toFile());
            }
            builder.clientAuth(switch (tls.authClients()) {
                case "yes" -> ClientAuth.REQUIRE;
                case "optional" -> ClientAuth.OPTIONAL;
                default -> ClientAuth.NONE;
            });
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            // The message names the file, never its contents.
            throw new UncheckedIOException(new java.io.IOException("cannot use tls-cert-file / tls-key-file / "
                    + "tls-ca-cert-file: " + e.getMessage(), e));
        }
    }
}
