/*
 * Design: the system's Chromium and its matching chromedriver (Debian's chromium and
 * chromium-driver; .ci/run installs them), found on the PATH and handed to Selenium by path, so
 * Selenium Manager never looks anything up or downloads a browser. Headless, sandbox off (CI runs
 * as root), /dev/shm not used (small in containers). Screenshots go to target/ as test artifacts.
 */
package dev.kvfallback.testing;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A headless Chromium driven through chromedriver, for the admin panel's browser test. */
public final class HeadlessChromium implements AutoCloseable {

    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Chromium's binary on the PATH, if any. */
    public static Optional<Path> browser() {
        return onPath(List.of("chromium", "chromium-browser", "google-chrome"));
    }

    /** chromedriver on the PATH, if any. */
    public static Optional<Path> chromedriver() {
        return onPath(List.of("chromedriver"));
    }

    /** Starts a headless browser whose window is {@code width} × {@code height} CSS pixels. */
    public static HeadlessChromium start(int width, int height) {
        Path browser = browser().orElseThrow(() -> new IllegalStateException("no chromium on the PATH"));
        Path driverPath = chromedriver().orElseThrow(() -> new IllegalStateException("no chromedriver on the PATH"));
        System.setProperty("webdriver.chrome.driver", driverPath.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driverPath.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return new HeadlessChromium(driver);
    }

    public WebDriver driver() {
        return driver;
    }

    /** Resizes the window (CSS pixels). */
    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Runs a script in the page and answers its return value. */
    public Object script(String source, Object... args) {
        return driver.executeScript(source, args);
    }

    /** Saves what the page shows now as {@code target/<name>.png} and answers its path. */
    public Path screenshot(String name) throws IOException {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Path target = Path.of(System.getProperty("basedir", "."), "target", name + ".png");
        Files.createDirectories(target.getParent());
        return Files.move(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        driver.quit();
    }

    private static Optional<Path> onPath(List<String> names) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String name : names) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
