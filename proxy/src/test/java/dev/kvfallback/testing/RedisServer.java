package dev.kvfallback.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests: loopback only, a free port, no persistence, started and
 * stopped (by its pid) by the test. Optional TLS and password.
 */
public final class RedisServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dir;
    private final String[] extraArgs;

    private RedisServer(Process process, int port, Path dir, String[] extraArgs) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    /**
     * A server that keeps its data across {@link #restart}: an append-only file synced at every
     * write, in its own directory.
     */
    public static RedisServer startPersistent() throws IOException, InterruptedException {
        return start(null, 0, null, "--appendonly", "yes", "--appendfsync", "always");
    }

    /**
     * Starts this server again on the same port and directory (after {@link #kill} or
     * {@link #close}): with {@link #startPersistent} it comes back with its data.
     */
    public RedisServer restart() throws IOException, InterruptedException {
        return start(null, port, dir, extraArgs);
    }

    /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a {@link #pause paused} server run again (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public static RedisServer start(String... extraArgs) throws IOException, InterruptedException {
        return start(null, extraArgs);
    }

    /** Starts a TLS-only server with the given certificates when {@code tls} is non-null. */
    public static RedisServer start(TlsCerts tls, String... extraArgs) throws IOException, InterruptedException {
        return start(tls, 0, null, extraArgs);
    }

    /** Starts a plain server on {@code port} again, as after a restart (retries while the port is busy). */
    public static RedisServer restartOn(int port) throws IOException, InterruptedException {
        return start(null, port, null);
    }

    private static RedisServer start(TlsCerts tls, int fixedPort, Path fixedDir, String... extraArgs)
            throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = fixedPort != 0 ? fixedPort : freePort();
            Path dir = fixedDir != null ? fixedDir : Files.createTempDirectory("kvf-redis");
            List<String> cmd = new ArrayList<>(List.of("redis-server",
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                    "--daemonize", "no", "--loglevel", "warning"));
            if (tls == null) {
                cmd.addAll(List.of("--port", Integer.toString(port)));
            } else {
                cmd.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port),
                        "--tls-cert-file", tls.serverCert().toString(), "--tls-key-file", tls.serverKey().toString(),
                        "--tls-ca-cert-file", tls.caCert().toString(), "--tls-auth-clients", "no"));
            }
            cmd.addAll(List.of(extraArgs));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
            if (waitForPort(port, p)) {
                return new RedisServer(p, port, dir, extraArgs);
            }
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            last = new IOException("redis-server did not start on port " + port + ": "
                    + Files.readString(dir.resolve("redis.log")));
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server (SIGTERM, then SIGKILL if it lingers). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Kills the server at once (SIGKILL): no shutdown, connections cut as by a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static boolean waitForPort(int port, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return false;
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        return false;
    }
}
