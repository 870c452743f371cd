package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.server.EventHub;
import io.vigil.server.StatsSample;
import io.vigil.server.StreamSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The wall's audio bars in a real browser (Debian's chromium, headless), fed the {@code stats} events a stream
 * publishes once a second (ten meter frames each) straight into the hub: the bar is each channel's momentary
 * loudness (-23 LUFS: 37/60 of the meter's height on its -60..0 scale; a silent channel: no bar), the peak a tick,
 * six bars for 5.1, and the RMS level as the bar where loudness is not measured. The figures are those the analyser
 * measures on a -23 LUFS sine in one channel ({@code ChannelLoudnessTest} in engine/core). Screenshot:
 * target/screenshots/meters.png. Skipped where chromium is missing outside CI, as {@link DashboardBrowserTest}.
 */
@Timeout(120)
class LevelMetersBrowserTest {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final double FLOOR = -100;
    /** The bar colours (green, yellow, red); the background, the marks and the grid are not among them. */
    static final String BAR_PIXELS = "const c = arguments[0]; const n = arguments[1];"
            + "const g = c.getContext('2d'); const d = g.getImageData(0, 0, c.width, c.height).data;"
            + "const gap = Math.max(1, Math.round(c.width * 0.06)); const bw = (c.width - gap * (n + 1)) / n;"
            + "const colours = [[0x3f, 0xb9, 0x50], [0xe3, 0xb3, 0x41], [0xf8, 0x51, 0x49]];"
            + "const out = [];"
            + "for (let ch = 0; ch < n; ch++) {"
            + "  const x = Math.floor(gap + ch * (bw + gap) + bw / 2); let count = 0;"
            + "  for (let y = 0; y < c.height; y++) {"
            + "    const i = (y * c.width + x) * 4;"
            + "    if (colours.some(([r, gg, b]) => Math.abs(d[i] - r) < 12 && Math.abs(d[i + 1] - gg) < 12"
            + "        && Math.abs(d[i + 2] - b) < 12)) count++;"
            + "  }"
            + "  out.push(count);"
            + "}"
            + "return {bars: out, height: c.height, kind: c.dataset.bars};";

    @TempDir
    static Path dir;
    static final TinyRegistry registry = new TinyRegistry();
    static final EventHub hub = new EventHub(100);
    static ApiServer server;
    static WebDriver browser;
    static ScheduledExecutorService feed;
    /** The frame each stream publishes, ten times a second's stats event. */
    static final Map<String, StatsSample.Levels> frames = Collections.synchronizedMap(new java.util.HashMap<>());

    @BeforeAll
    static void start() throws Exception {
        String chromium = DashboardBrowserTest.onPath("chromium");
        String driver = DashboardBrowserTest.onPath("chromedriver");
        boolean ci = System.getenv("CI") != null && !System.getenv("CI").isBlank();
        Assumptions.assumeTrue(ci || (chromium != null && driver != null),
                "Debian's chromium and chromium-driver are not installed, so this browser test is skipped.");
        registry.add(new StreamSpec("stereo", "udp://239.0.0.1:1", null, Map.of()));
        registry.add(new StreamSpec("surround", "udp://239.0.0.1:2", null, Map.of()));
        registry.add(new StreamSpec("no-loudness", "udp://239.0.0.1:3", null, Map.of()));
        // a -23 LUFS 1 kHz sine (peak -20 dBFS) in the left channel, silence in the right
        frames.put("stereo", new StatsSample.Levels(new double[] {-20, FLOOR}, new double[] {-23, FLOOR},
                new double[] {-23, FLOOR}));
        // 5.1: FL -23, FR silent, FC -23, LFE -23, BL -29, BR silent
        frames.put("surround", new StatsSample.Levels(new double[] {-20, FLOOR, -20, -20, -26, FLOOR},
                new double[] {-23, FLOOR, -23, -23, -29, FLOOR}, new double[] {-23, FLOOR, -23, -23, -29, FLOOR}));
        // the loudness detector off: no loudness, the bar is the RMS level
        frames.put("no-loudness", new StatsSample.Levels(new double[] {-10, -10}, new double[] {-13, -40}));
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, null, 65536), registry, hub);
        feed = Executors.newSingleThreadScheduledExecutor();
        feed.scheduleAtFixedRate(() -> frames.forEach((id, frame) -> hub.accept(new StatsSample(id, Instant.now(), 0,
                Map.of(), Collections.nCopies(10, frame)))), 0, 1, TimeUnit.SECONDS);
        browser = DashboardBrowserTest.chrome(chromium, driver, dir);
        ((org.openqa.selenium.chrome.ChromeDriver) browser).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 1920, "height", 1080, "deviceScaleFactor", 1, "mobile", false));
    }

    @AfterAll
    static void stop() {
        if (feed != null) {
            feed.shutdownNow();
        }
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    /** {bars: pixels of bar colour up each bar's middle column, height, kind} of a tile's meter, once drawn. */
    @SuppressWarnings("unchecked")
    Map<String, Object> meter(String stream, int channels) {
        return new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(100)).until(b -> {
            Object canvas = ((JavascriptExecutor) b).executeScript(
                    "return document.querySelector(\"article.tile[data-stream='\" + arguments[0] + \"'] canvas.meters\")",
                    stream);
            if (canvas == null) {
                return null;
            }
            Map<String, Object> m = (Map<String, Object>) ((JavascriptExecutor) b).executeScript(BAR_PIXELS, canvas,
                    channels);
            return m.get("kind") == null ? null : m;
        });
    }

    static List<Double> bars(Map<String, Object> meter) {
        List<Double> out = new ArrayList<>();
        for (Object o : (List<?>) meter.get("bars")) {
            out.add(((Number) o).doubleValue());
        }
        return out;
    }

    @Test
    void theBarIsEachChannelsMomentaryLoudnessAndFiveOneHasSix() throws Exception {
        browser.get(server.baseUri().toString());
        Map<String, Object> stereo = meter("stereo", 2);
        double height = ((Number) stereo.get("height")).doubleValue();
        List<Double> s = bars(stereo);
        System.out.println("stereo meter: " + stereo);
        assertThat(stereo.get("kind")).isEqualTo("lufs");
        // the bar up to -23 LUFS on the -60..0 scale, and the peak's 2-pixel tick at -20 dBFS above it
        double minus23 = height * 37 / 60;
        assertThat(s.get(0)).isCloseTo(minus23 + 2, offset(3.0));
        assertThat(s.get(1)).as("a silent channel has no bar and no tick").isLessThan(2);

        Map<String, Object> surround = meter("surround", 6);
        List<Double> f = bars(surround);
        System.out.println("5.1 meter: " + surround);
        assertThat(surround.get("kind")).isEqualTo("lufs");
        assertThat(f).hasSize(6);
        assertThat(f.get(0)).isCloseTo(minus23 + 2, offset(3.0));
        assertThat(f.get(2)).isCloseTo(minus23 + 2, offset(3.0));
        assertThat(f.get(3)).as("the LFE at its own loudness").isCloseTo(minus23 + 2, offset(3.0));
        assertThat(f.get(4)).as("-29 LUFS").isCloseTo(height * 31 / 60 + 2, offset(3.0));
        assertThat(f.get(1)).isLessThan(2);
        assertThat(f.get(5)).isLessThan(2);

        Map<String, Object> rms = meter("no-loudness", 2);
        List<Double> r = bars(rms);
        System.out.println("meter without loudness: " + rms);
        assertThat(rms.get("kind")).isEqualTo("rms");
        assertThat(r.get(0)).as("-13 dBFS RMS").isCloseTo(height * 47 / 60 + 2, offset(3.0));
        assertThat(r.get(1)).as("-40 dBFS RMS and its tick at -10").isCloseTo(height * 20 / 60 + 2, offset(3.0));

        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve("meters.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
