/*
 * Design: the admin panel as an operator uses it, in a real headless Chromium against an
 * in-process proxy and a real redis-server. Every check waits for what the page shows (bounded
 * explicit waits, never a sleep), because the page learns of a change at its next poll. A
 * screenshot of each step worth seeing lands in target/admin-panel*.png; on a failure, the page as
 * it was goes to target/admin-panel-failure.png.
 */
package dev.kvfallback.admin;

import dev.kvfallback.KvFallback;
import dev.kvfallback.testing.Backups;
import dev.kvfallback.testing.HeadlessChromium;
import dev.kvfallback.testing.Proxy;
import dev.kvfallback.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Database Health page in a browser: it follows the proxy's mode, and its actions need the right key. */
class AdminPanelIT {

    private static final String KEY = "panel-admin-key";
    private static final Duration SHORT = Duration.ofSeconds(20);
    private static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void anOperatorSeesRedisFailThenForcesFallbackWithTheKeyAndReturnsToAutomatic() throws Exception {
        assumeTrue(HeadlessChromium.browser().isPresent() && HeadlessChromium.chromedriver().isPresent(),
                "chromium and chromedriver are not installed (.ci/run installs them)");
        RedisServer redis = RedisServer.start();
        int port = redis.port();
        try (KvFallback proxy = Proxy.start(redis.url() + "?timeout=1s", "--admin-key", KEY,
                "--probe-interval", "200ms", "--probe-backoff-max", "500ms");
             Jedis jedis = new Jedis("127.0.0.1", proxy.port(), 20_000);
             HeadlessChromium browser = HeadlessChromium.start(1280, 1500)) {
            try {
                redis = walkThrough(proxy, jedis, browser, redis, port);
            } catch (AssertionError | RuntimeException e) {
                browser.screenshot("admin-panel-failure");
                throw e;
            }
        } finally {
            redis.close();
        }
    }

    private static RedisServer walkThrough(KvFallback proxy, Jedis jedis, HeadlessChromium browser, RedisServer redis,
                                           int port) throws Exception {
        WebDriver page = browser.driver();
        page.get("http://127.0.0.1:" + proxy.adminAddress().getPort() + "/");
        awaitMode(page, "kv", SHORT);
        awaitText(page, "kv-state", "available");
        for (int i = 0; i < 50; i++) {
            jedis.set("key" + i, "value" + i);
        }
        new WebDriverWait(page, SHORT).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#chart-commands polyline.route-upstream")));
        browser.screenshot("admin-panel-kv");

        redis.kill();
        assertEquals("OK", jedis.set("written-during-the-outage", "1"), "the client sees no error");
        awaitMode(page, "mongodb", SHORT);
        awaitText(page, "kv-state", "down");
        assertFalse(page.findElement(By.id("mode-cause")).getText().isBlank());
        browser.screenshot("admin-panel-redis-down");

        redis = RedisServer.restartOn(port);
        awaitMode(page, "kv", LONG);
        new WebDriverWait(page, SHORT).withMessage(() -> "the write made in fallback is counted as written back")
                .until(d -> !List.of("0", "–").contains(d.findElement(By.id("replay-done")).getText()));

        type(page, "not-the-key");
        page.findElement(By.id("act-fallback")).click();
        awaitText(page, "action-result", "wrong admin key");
        assertNull(browser.script("return sessionStorage.getItem('kvfallback.adminKey')"), "a refused key is forgotten");
        assertEquals("kv", page.findElement(By.id("mode")).getText(), "a refused action changes nothing");
        assertTrue(Backups.get(proxy, "/api/admin/db-health").body().contains("\"mode\":\"primary\""));

        type(page, KEY);
        page.findElement(By.id("act-fallback")).click();
        awaitText(page, "action-result", "Force fallback: done");
        awaitMode(page, "mongodb", SHORT);
        assertEquals("key kept for this tab", page.findElement(By.id("key-state")).getText());
        assertEquals("", page.findElement(By.id("admin-key")).getDomProperty("value"), "the field does not keep it");
        assertFalse(page.getPageSource().contains(KEY), "the key is never shown");
        browser.screenshot("admin-panel");

        page.findElement(By.id("act-auto")).click(); // with the key this tab kept
        awaitText(page, "action-result", "Back to automatic: done");
        awaitMode(page, "kv", LONG);

        page.findElement(By.id("act-verify")).click();
        awaitText(page, "action-result", "keys checked");
        awaitText(page, "verify", "keys checked");

        browser.resize(375, 812);
        Object overflow = browser.script("return document.documentElement.scrollWidth - window.innerWidth");
        assertTrue(((Number) overflow).longValue() <= 0, "no sideways scrolling on a phone: " + overflow + " px");
        browser.screenshot("admin-panel-phone");
        return redis;
    }

    private static void type(WebDriver page, String key) {
        WebElement field = page.findElement(By.id("admin-key"));
        field.clear();
        field.sendKeys(key);
    }

    private static void awaitMode(WebDriver page, String mode, Duration limit) {
        new WebDriverWait(page, limit).withMessage(() -> "the page shows mode " + mode + "; it shows "
                        + page.findElement(By.id("mode")).getText())
                .until(ExpectedConditions.textToBe(By.id("mode"), mode));
    }

    private static void awaitText(WebDriver page, String id, String text) {
        new WebDriverWait(page, SHORT).withMessage(() -> "#" + id + " shows \"" + text + "\"; it shows \""
                        + page.findElement(By.id(id)).getText() + "\"")
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id(id), text));
    }
}
