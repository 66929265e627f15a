/*
 * Design: config/prometheus-alerts.yml is checked three ways. promtool (Debian's prometheus
 * package; .ci/run installs it) validates the rules and runs their unit tests in
 * config/prometheus-alerts.test.yml; those two are skipped where promtool is missing. And every
 * metric, with every label value, that a rule selects must appear in the /metrics scrape of a real
 * proxy in front of a real redis-server, so a renamed metric cannot leave an alert silently dead.
 */
package dev.kvfallback.ops;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** config/prometheus-alerts.yml: valid for Prometheus, fires when it should, and uses only metrics the proxy serves. */
class PrometheusAlertsIT {

    private static final Path CONFIG = Path.of("..", "config");
    private static final Path RULES = CONFIG.resolve("prometheus-alerts.yml");
    private static final Path RULE_TESTS = CONFIG.resolve("prometheus-alerts.test.yml");
    private static final Set<String> ALERTS = Set.of("KvfallbackBothBackendsDown", "KvfallbackServingFromMongoDB",
            "KvfallbackTeeBacklogOld", "KvfallbackRecoveryStalled");
    /** A selector of one of the proxy's metrics, with its label matchers if any. */
    private static final Pattern SELECTOR = Pattern.compile("\\b(kvfallback_[a-z0-9_]+)(\\{([^}]*)})?");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)\\s*=\\s*\"([^\"]*)\"");

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Path promtool = promtool();
        String out = run(promtool.toString(), "check", "rules", RULES.toString());
        assertTrue(out.contains("SUCCESS: " + ALERTS.size() + " rules found"), out);
    }

    @Test
    void theRulesFireWhenTheirUnitTestsSayTheyShould() throws Exception {
        Path promtool = promtool();
        String out = run(promtool.toString(), "test", "rules", RULE_TESTS.toString());
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void everyRuleHasASeverityAndWordsForTheOperator() throws Exception {
        List<Map<String, Object>> rules = rules();
        List<String> names = new ArrayList<>();
        for (Map<String, Object> rule : rules) {
            String name = (String) rule.get("alert");
            names.add(name);
            Map<?, ?> labels = (Map<?, ?>) rule.get("labels");
            assertTrue(Set.of("critical", "warning").contains(labels.get("severity")), name + ": severity");
            Map<?, ?> annotations = (Map<?, ?>) rule.get("annotations");
            for (String field : List.of("summary", "description")) {
                assertTrue(annotations.get(field) instanceof String s && !s.isBlank(), name + ": " + field);
            }
        }
        assertEquals(ALERTS, Set.copyOf(names));
        assertEquals(ALERTS.size(), names.size(), "each alert once");
    }

    @Test
    void everyMetricTheRulesSelectIsInTheProxysScrape() throws Exception {
        String scrape;
        try (RedisServer redis = RedisServer.start();
             KvFallback proxy = Proxy.start(redis.url())) {
            scrape = Backups.get(proxy, "/metrics").body();
        }
        for (Map<String, Object> rule : rules()) {
            String expr = (String) rule.get("expr");
            Matcher selector = SELECTOR.matcher(expr);
            int found = 0;
            while (selector.find()) {
                found++;
                assertServed(scrape, rule.get("alert") + ": " + selector.group(), selector.group(1), selector.group(3));
            }
            assertTrue(found > 0, rule.get("alert") + " selects none of the proxy's metrics: " + expr);
        }
    }

    /** Some sample of {@code metric} in the scrape carries every label the selector matches on. */
    private static void assertServed(String scrape, String what, String metric, String matchers) {
        List<String> samples = scrape.lines()
                .filter(line -> line.startsWith(metric + " ") || line.startsWith(metric + "{"))
                .toList();
        assertFalse(samples.isEmpty(), what + ": the proxy serves no metric " + metric);
        if (matchers == null) {
            return;
        }
        Matcher m = MATCHER.matcher(matchers);
        while (m.find()) {
            String label = m.group(1) + "=\"" + m.group(2) + "\"";
            assertTrue(samples.stream().anyMatch(line -> line.contains(label)),
                    what + ": no sample of " + metric + " has " + label + " in " + samples);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules() throws Exception {
        Map<String, Object> file = new Yaml().load(Files.readString(RULES));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return rules;
    }

    private static Path promtool() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        Optional<Path> found = List.of(path.split(File.pathSeparator)).stream()
                .map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable).findFirst();
        assumeTrue(found.isPresent(), "promtool is not installed (Debian's prometheus package; .ci/run installs it)");
        return found.get();
    }

    /** Runs a command to its end (at most a minute) and answers its output; fails on a non-zero exit. */
    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        String out = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
