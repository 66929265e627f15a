package dev.kvfallback.ops;

import dev.kvfallback.testing.JsonText;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config/grafana-dashboard.json imports into Grafana with a Prometheus picked at import, and charts every metric. */
class GrafanaDashboardTest {

    /** The metric families the proxy exports (names fixed with the metrics issue). */
    private static final List<String> FAMILIES = List.of(
            "kvfallback_mode", "kvfallback_mode_changes_total", "kvfallback_backend_up",
            "kvfallback_commands_total", "kvfallback_command_seconds_bucket", "kvfallback_upstream_errors_total",
            "kvfallback_tee_backlog", "kvfallback_tee_backlog_age_seconds", "kvfallback_tee_effects_applied_total",
            "kvfallback_tee_effects_diverted_total", "kvfallback_tee_copies_total", "kvfallback_tee_copy_pending",
            "kvfallback_tee_self_check_mismatches_total", "kvfallback_divergent_keys",
            "kvfallback_replay_keys_done_total", "kvfallback_replay_keys_left", "kvfallback_client_connections",
            "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum", "jvm_gc_pause_seconds_count",
            "netty_allocator_memory_used");

    private static final String DATASOURCE = "${DS_PROMETHEUS}";

    @Test
    void theDashboardIsAnImportableGrafanaModel() throws Exception {
        Map<?, ?> dashboard = dashboard();
        assertEquals("kvfallback", dashboard.get("uid"));
        assertEquals("kvfallback", dashboard.get("title"));
        assertTrue(((Number) dashboard.get("schemaVersion")).intValue() >= 36, "a Grafana 10 schema");
        Map<?, ?> input = (Map<?, ?>) ((List<?>) dashboard.get("__inputs")).get(0);
        assertEquals("DS_PROMETHEUS", input.get("name"));
        assertEquals("datasource", input.get("type"));
        assertEquals("prometheus", input.get("pluginId"));
    }

    @Test
    void everyPanelHasATitleAQueryAndTheImportedDatasource() throws Exception {
        Set<Object> ids = new HashSet<>();
        for (Map<?, ?> panel : panels(dashboard())) {
            Object title = panel.get("title");
            assertTrue(title instanceof String s && !s.isBlank(), "a panel without a title: " + panel);
            assertTrue(ids.add(panel.get("id")), "two panels with id " + panel.get("id"));
            assertEquals(DATASOURCE, ((Map<?, ?>) panel.get("datasource")).get("uid"), title + ": datasource");
            List<?> targets = (List<?>) panel.get("targets");
            assertTrue(targets != null && !targets.isEmpty(), title + " has no query");
            for (Object t : targets) {
                Map<?, ?> target = (Map<?, ?>) t;
                assertTrue(target.get("expr") instanceof String e && !e.isBlank(), title + " has an empty query");
                assertEquals(DATASOURCE, ((Map<?, ?>) target.get("datasource")).get("uid"), title + ": query datasource");
            }
        }
    }

    @Test
    void panelsFitTheGridWithoutOverlapping() throws Exception {
        List<Map<?, ?>> panels = panels(dashboard());
        for (int i = 0; i < panels.size(); i++) {
            int[] a = box(panels.get(i));
            assertTrue(a[0] >= 0 && a[0] + a[2] <= 24 && a[2] > 0 && a[3] > 0, panels.get(i).get("title") + " is off the grid");
            for (Map<?, ?> other : panels.subList(i + 1, panels.size())) {
                int[] b = box(other);
                boolean overlap = a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
                assertFalse(overlap, panels.get(i).get("title") + " overlaps " + other.get("title"));
            }
        }
    }

    @Test
    void everyMetricFamilyIsCharted() throws Exception {
        List<String> exprs = new ArrayList<>();
        for (Map<?, ?> panel : panels(dashboard())) {
            for (Object t : (List<?>) panel.get("targets")) {
                exprs.add((String) ((Map<?, ?>) t).get("expr"));
            }
        }
        for (String family : FAMILIES) {
            // Whole names only: kvfallback_tee_backlog must not be satisfied by kvfallback_tee_backlog_age_seconds.
            Pattern name = Pattern.compile("(?<![A-Za-z0-9_:])" + Pattern.quote(family) + "(?![A-Za-z0-9_:])");
            assertTrue(exprs.stream().anyMatch(e -> name.matcher(e).find()), "no panel charts " + family);
        }
    }

    private static Map<?, ?> dashboard() throws Exception {
        return (Map<?, ?>) JsonText.parse(Files.readString(Path.of("../config/grafana-dashboard.json")));
    }

    /** Every panel, those inside collapsed rows too (a row itself holds no query). */
    private static List<Map<?, ?>> panels(Map<?, ?> dashboard) {
        List<Map<?, ?>> out = new ArrayList<>();
        for (Object p : (List<?>) dashboard.get("panels")) {
            Map<?, ?> panel = (Map<?, ?>) p;
            if ("row".equals(panel.get("type"))) {
                for (Object inner : (List<?>) panel.get("panels")) {
                    out.add((Map<?, ?>) inner);
                }
            } else {
                out.add(panel);
            }
        }
        return out;
    }

    private static int[] box(Map<?, ?> panel) {
        Map<?, ?> g = (Map<?, ?>) panel.get("gridPos");
        return new int[] {num(g, "x"), num(g, "y"), num(g, "w"), num(g, "h")};
    }

    private static int num(Map<?, ?> map, String key) {
        return ((Number) map.get(key)).intValue();
    }
}
