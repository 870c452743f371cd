package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StreamSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page's alarm handling in a real browser (Debian's chromium, headless) against the real API, alarms published
 * straight into the hub: Ack asks who and a note (and the token, which a session cannot stand for), and the row then
 * shows who acknowledged; Mute on a row mutes the stream, whose tile then says so and whose next alarm shows as
 * suppressed; Unmute lifts it. Skipped where chromium is missing outside CI, as {@link DashboardBrowserTest}.
 */
@Timeout(120)
class AlarmHandlingBrowserTest {
    static final String TOKEN = "admin-token-0123456789";
    static final Path REPORTS = Path.of("target", "surefire-reports");
    static final String BLACK_ROW = "article.tile[data-stream='e1'] li[data-dedup-key='e1/black']";

    @TempDir
    Path dir;
    final TinyRegistry registry = new TinyRegistry();
    final EventHub hub = new EventHub(100);
    ApiServer server;
    WebDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    static Event.Alarm firing(String stream, String detector) {
        return new Event.Alarm(Event.Alarm.FIRING, detector, stream, null, stream + "/" + detector, "critical", 1.0,
                null, null, Instant.now().toString(), null, "picture " + detector, Map.of(), null, null);
    }

    void startBrowser() throws Exception {
        String chromium = DashboardBrowserTest.onPath("chromium");
        String driver = DashboardBrowserTest.onPath("chromedriver");
        boolean ci = System.getenv("CI") != null && !System.getenv("CI").isBlank();
        Assumptions.assumeTrue(ci || (chromium != null && driver != null),
                "Debian's chromium and chromium-driver are not installed, so this browser test is skipped.");
        browser = DashboardBrowserTest.chrome(chromium, driver, dir);
        Files.createDirectories(REPORTS);
    }

    /**
     * Clicks the button labelled {@code text} inside {@code container} in one script step, once there is one: the
     * page redraws its alarm rows every second, so a button found in one step may be gone in the next.
     */
    void clickButton(WebDriverWait wait, String container, String text) {
        wait.until(b -> Boolean.TRUE.equals(((org.openqa.selenium.JavascriptExecutor) b).executeScript(
                "const box = document.querySelector(arguments[0]);"
                        + "const button = box && [...box.querySelectorAll('button.handling-button')]"
                        + "  .find(x => x.textContent === arguments[1]);"
                        + "if (!button) return false; button.click(); return true;", container, text)));
    }

    void fillDialog(String who, String note) {
        WebElement by = browser.findElement(By.id("handling-by"));
        by.clear();
        by.sendKeys(who);
        if (note != null) {
            browser.findElement(By.id("handling-note")).sendKeys(note);
        }
    }

    @Test
    void ackAndMuteThroughThePage() throws Exception {
        registry.add(new StreamSpec("e1", "udp://239.0.0.1:1", null, Map.of()));
        registry.add(new StreamSpec("e2", "udp://239.0.0.1:2", null, Map.of()));
        // Reading is public (a wall screen); changes need the token.
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, TOKEN, 65536).withReadAccess(null, true, false),
                registry, hub);
        startBrowser();
        hub.accept(firing("e1", "black"));
        browser.get(server.baseUri().toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15), Duration.ofMillis(100));
        // Ack: who and a note; the first try has no token, so the dialog asks for it.
        clickButton(wait, BLACK_ROW, "Ack");
        wait.until(b -> b.findElement(By.id("handling-dialog")).isDisplayed());
        fillDialog("ana", "looking");
        browser.findElement(By.id("handling-ok")).click();
        wait.until(b -> b.findElement(By.id("handling-token-field")).isDisplayed());
        assertThat(browser.findElement(By.id("handling-error")).getText()).contains("Bearer");
        browser.findElement(By.id("handling-token")).sendKeys(TOKEN);
        browser.findElement(By.id("handling-ok")).click();
        wait.until(b -> !b.findElement(By.id("handling-dialog")).isDisplayed());
        WebElement acked = wait.until(b -> b.findElements(By.cssSelector(
                "article.tile[data-stream='e1'] li[data-dedup-key='e1/black'] .mark-acked")).stream().findFirst()
                .orElse(null));
        assertThat(acked.getText()).isEqualTo("ack ana");
        assertThat(acked.getAttribute("title")).contains("looking");

        // Mute the whole stream from the row; the token is remembered for the page's life.
        clickButton(wait, BLACK_ROW, "Mute");
        wait.until(b -> b.findElement(By.id("handling-dialog")).isDisplayed());
        fillDialog("ana", "encoder swap");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("handling-scope")))
                .selectByValue("stream");
        WebElement minutes = browser.findElement(By.id("handling-minutes"));
        minutes.clear();
        minutes.sendKeys("45");
        browser.findElement(By.id("handling-ok")).click();
        wait.until(b -> !b.findElement(By.id("handling-dialog")).isDisplayed());
        WebElement muted = wait.until(b -> b.findElements(By.cssSelector(
                "article.tile[data-stream='e1'] .tile-mutes .mark-muted")).stream().findFirst().orElse(null));
        assertThat(muted.getText()).startsWith("muted stream until ");

        // The stream's next alarm is raised, shown, and marked suppressed.
        hub.accept(firing("e1", "freeze"));
        hub.accept(firing("e2", "freeze"));
        wait.until(b -> !b.findElements(By.cssSelector(
                "article.tile[data-stream='e1'] li[data-dedup-key='e1/freeze'] .mark-suppressed")).isEmpty());
        assertThat(hub.active("e1").stream().filter(a -> a.detector().equals("freeze")).findFirst().orElseThrow()
                .suppressed()).isTrue();
        wait.until(b -> !b.findElements(By.cssSelector("li[data-dedup-key='e2/freeze']")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("li[data-dedup-key='e2/freeze'] .mark-suppressed"))).isEmpty();
        Files.write(REPORTS.resolve("dashboard-handling.png"),
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(org.openqa.selenium.OutputType.BYTES));

        // Unmute from the tile.
        clickButton(wait, "article.tile[data-stream='e1'] .tile-mutes", "Unmute");
        wait.until(b -> b.findElement(By.id("handling-dialog")).isDisplayed());
        browser.findElement(By.id("handling-ok")).click();
        wait.until(b -> b.findElements(By.cssSelector("article.tile[data-stream='e1'] .tile-mutes")).isEmpty());

        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> !e.getMessage().contains("thumbnail.jpg") && !e.getMessage().contains("401"))
                .toList();
        assertThat(errors).isEmpty();
    }
}
