package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.config.VigilConfig;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SequencedMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live MPEG-TS source over HTTP on loopback that stops sending for 3.5 s mid-stream, its connection kept open:
 * one stall alarm, firing while it waits and resolved when the frames come again; none when it keeps sending.
 */
class StallTest {
    static final double CLIP_SECONDS = 8;
    /** The source sends this many times faster than real time (still paced, as a live source is). */
    static final double PACE = 4;
    static final long PAUSE_MILLIS = 3500;

    @TempDir
    static Path dir;
    static byte[] body;

    @BeforeAll
    static void makeClip() throws Exception {
        Path clip = dir.resolve("live.ts");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=" + CLIP_SECONDS,
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=" + CLIP_SECONDS,
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "mp2",
                "-f", "mpegts", clip.toString()));
        body = Files.readAllBytes(clip);
    }

    static List<Event> analyze(boolean pause) throws Exception {
        return analyze(pause ? PAUSE_MILLIS : 0);
    }

    /** Serves the clip in 50 chunks at {@link #PACE} times real time, pausing {@code pauseMillis} after 60%. */
    static List<Event> analyze(long pauseMillis) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/live.ts", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "video/mp2t");
            exchange.sendResponseHeaders(200, 0);
            int chunks = 50;
            long chunkMillis = Math.round(CLIP_SECONDS * 1000 / PACE / chunks);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < chunks; i++) {
                    int from = (int) ((long) body.length * i / chunks);
                    int to = (int) ((long) body.length * (i + 1) / chunks);
                    out.write(body, from, to - from);
                    out.flush();
                    Thread.sleep(pauseMillis > 0 && i == chunks * 6 / 10 ? pauseMillis : chunkMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        try {
            SequencedMap<String, DetectorSettings> detectors = VigilConfig.defaults().detectors();
            detectors.put("stall", detectors.get("stall").with("timeoutSeconds", 1.5));
            VigilConfig config = VigilConfig.defaults().withDetectors(detectors).withIoTimeout(Duration.ofSeconds(10));
            List<Event> events = new ArrayList<>();
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/live.ts";
            assertThat(Analysis.run(url, "live", config, events::add, null, n -> { }))
                    .isEqualTo(Analysis.Outcome.COMPLETE);
            FfmpegOracleTest.assertFiringThenResolved(events);
            return events;
        } finally {
            server.stop(0);
        }
    }

    static List<Event.Alarm> stalls(List<Event> events) {
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.detector().equals("stall"))
                .map(e -> (Event.Alarm) e).toList();
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSourceThatStopsSendingStallsAndResolvesWhenItResumes() throws Exception {
        List<Event> events = analyze(true);
        List<Event.Alarm> found = stalls(events);
        assertThat(found).as("%s", events).extracting(Event.Alarm::status).containsExactly("firing", "resolved");
        Event.Alarm firing = found.get(0);
        Event.Alarm resolved = found.get(1);
        assertThat(firing.severity()).isEqualTo("critical");
        // The pause comes after 60% of the bytes: the last frame before it is a little before 60% of the clip.
        assertThat(firing.start()).isBetween(0.3 * CLIP_SECONDS, 0.65 * CLIP_SECONDS);
        assertThat(firing.metrics().get("stalledSeconds")).isGreaterThanOrEqualTo(1.5);
        // The end is the start plus the outage's wall length (the clip's timestamps, sent 4x faster than real time,
        // do not carry the gap).
        assertThat(resolved.end()).isCloseTo(firing.start() + resolved.metrics().get("stalledSeconds"), within(0.002));
        assertThat(resolved.metrics().get("stalledSeconds")).isBetween(2.5, 5.0);
        Duration wall = Duration.between(Instant.parse(resolved.wallStart()), Instant.parse(resolved.wallEnd()));
        assertThat(wall.toMillis()).isBetween(2500L, 5000L);
    }

    /**
     * Issue 14: the source's timestamps go on where they stopped (the sender paused, its clock with it), yet the
     * resolved stall's duration is the outage, not the few milliseconds of media between the frames either side.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aStallsDurationIsTheOutage() throws Exception {
        long outageMillis = 5000;
        List<Event> events = analyze(outageMillis);
        Event.Alarm resolved = stalls(events).getLast();
        assertThat(resolved.status()).isEqualTo("resolved");
        // The quiet between the last frame before the pause and the first after it: the pause, less the chunk
        // interval it replaced, give or take a chunk's worth of frames held by the demuxer.
        double outage = (outageMillis - Math.round(CLIP_SECONDS * 1000 / PACE / 50)) / 1000.0;
        assertThat(resolved.duration()).isCloseTo(outage, within(0.6));
        assertThat(resolved.duration()).isCloseTo(resolved.metrics().get("stalledSeconds"), within(0.05));
        assertThat(resolved.end() - resolved.start()).isCloseTo(resolved.duration(), within(0.002));
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSourceThatKeepsSendingDoesNotStall() throws Exception {
        List<Event> events = analyze(false);
        assertThat(stalls(events)).as("%s", events).isEmpty();
    }
}
