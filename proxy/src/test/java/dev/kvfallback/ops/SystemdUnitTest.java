package dev.kvfallback.ops;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config/kvfallback.service is a unit systemd accepts, sandboxed as documented, and scripts/install installs it. */
class SystemdUnitTest {

    private static final Path REPO = Path.of("..");
    private static final Path UNIT = REPO.resolve("config/kvfallback.service");

    @Test
    void systemdAcceptsTheUnit(@TempDir Path dir) throws Exception {
        Path analyze = onPath("systemd-analyze");
        Assumptions.assumeTrue(analyze != null, "systemd-analyze is not installed");
        // verify checks that each Exec* program exists: point java and curl at a stand-in.
        Path standIn = dir.resolve("stand-in");
        Files.writeString(standIn, "#!/bin/sh\nexit 0\n");
        assertTrue(standIn.toFile().setExecutable(true));
        String unit = Files.readString(UNIT).replace("/usr/bin/java", standIn.toString())
                .replace("/usr/bin/curl", standIn.toString());
        Path copy = dir.resolve("kvfallback.service");
        Files.writeString(copy, unit);
        Result r = run(dir, analyze.toString(), "verify", copy.toString());
        List<String> aboutUnit = r.output.lines().filter(l -> l.contains("kvfallback.service")).toList();
        assertEquals(List.of(), aboutUnit, r.output);
        assertEquals(0, r.status, r.output);
    }

    @Test
    void theUnitIsSandboxedAndReadsItsSecretsFromAnEnvironmentFile() throws Exception {
        List<String> lines = Files.readAllLines(UNIT);
        for (String expected : List.of(
                "Type=exec",
                "User=kvfallback",
                "EnvironmentFile=-/etc/kvfallback/kvfallback.env",
                "WorkingDirectory=/var/lib/kvfallback",
                "StateDirectory=kvfallback",
                "Environment=KVFALLBACK_DATA_DIR=/var/lib/kvfallback",
                "Restart=on-failure",
                "RestartSec=2",
                "TimeoutStopSec=30",
                "SuccessExitStatus=143",
                "LimitNOFILE=65536",
                "NoNewPrivileges=true",
                "ProtectSystem=strict",
                "ProtectHome=true",
                "PrivateTmp=true",
                "PrivateDevices=true",
                "ProtectKernelTunables=true",
                "ProtectKernelModules=true",
                "ProtectControlGroups=true",
                "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                "LockPersonality=true",
                "RestrictRealtime=true",
                "RestrictSUIDSGID=true",
                "SystemCallArchitectures=native",
                "CapabilityBoundingSet=",
                "ReadWritePaths=/var/lib/kvfallback")) {
            assertTrue(lines.contains(expected), "config/kvfallback.service lacks the line " + expected);
        }
        String execStart = lines.stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertTrue(execStart.matches("ExecStart=/usr/bin/java -Xmx1g .*-jar /opt/kvfallback/kvfallback.jar "
                + "--config /etc/kvfallback/kvfallback.yaml"), execStart);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("ExecStartPost=") && l.contains("${KVFALLBACK_READY_URL}")));
        assertTrue(lines.contains("Environment=KVFALLBACK_READY_URL=http://127.0.0.1:9380/api/admin/db-health"),
                "the readiness check must ask the default admin-listen");
    }

    @Test
    void installDryRunNamesEveryFileAndChangesNothing(@TempDir Path dir) throws Exception {
        Path prefix = dir.resolve("opt");
        Path etc = dir.resolve("etc");
        Path units = dir.resolve("units");
        Result r = run(REPO, "bash", "scripts/install", "--dry-run", "--no-systemctl",
                "--prefix", prefix.toString(), "--etc", etc.toString(), "--unit-dir", units.toString());
        assertEquals(0, r.status, r.output);
        for (Path file : List.of(prefix.resolve("kvfallback.jar"), etc.resolve("kvfallback.yaml"),
                etc.resolve("logback.xml"), etc.resolve("kvfallback.env"), units.resolve("kvfallback.service"))) {
            assertTrue(r.output.contains(file.toString()), "the dry run does not mention " + file + ":\n" + r.output);
        }
        assertFalse(r.output.contains("+ systemctl"), r.output);
        assertFalse(Files.exists(prefix) || Files.exists(etc) || Files.exists(units), "a dry run created files");
    }

    @Test
    void installRefusesABadOption() throws Exception {
        Result r = run(REPO, "bash", "scripts/install", "--dry-run", "--prefix", "relative/dir");
        assertEquals(2, r.status, r.output);
        assertTrue(r.output.contains("absolute"), r.output);
    }

    private record Result(int status, String output) {
    }

    private static Result run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        return new Result(p.exitValue(), output);
    }

    private static Path onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, program)).filter(Files::isExecutable)
                .findFirst().orElse(null);
    }
}
