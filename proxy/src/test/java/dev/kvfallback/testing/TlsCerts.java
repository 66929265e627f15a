package dev.kvfallback.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with the
 * {@code openssl} command (keys in PKCS#8, as OpenSSL 3 writes them).
 */
public record TlsCerts(Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

    public static TlsCerts generate() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("kvf-tls");
        Path caKey = dir.resolve("ca.key");
        Path ca = dir.resolve("ca.crt");
        Path key = dir.resolve("server.key");
        Path csr = dir.resolve("server.csr");
        Path crt = dir.resolve("server.crt");
        Path ext = dir.resolve("san.ext");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=kvfallback test CA",
                "-keyout", caKey.toString(), "-out", ca.toString());
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", key.toString(), "-out", csr.toString());
        run(dir, "openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", crt.toString());
        Path clientKey = dir.resolve("client.key");
        Path clientCsr = dir.resolve("client.csr");
        Path clientCrt = dir.resolve("client.crt");
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kvfallback test client",
                "-keyout", clientKey.toString(), "-out", clientCsr.toString());
        run(dir, "openssl", "x509", "-req", "-in", clientCsr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-out", clientCrt.toString());
        return new TlsCerts(ca, crt, key, clientCrt, clientKey);
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out));
        }
    }
}
