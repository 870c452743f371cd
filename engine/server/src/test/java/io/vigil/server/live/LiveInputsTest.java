package io.vigil.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.engine.config.VigilConfig;
import io.vigil.server.EventHub;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live inputs as FFmpeg reads them, each from a real server on loopback paced in real time by ffmpeg {@code -re}:
 * HLS served over HTTP from a folder ffmpeg writes, MPEG-TS over UDP, SRT and RTMP (ffmpeg in listener mode). A black
 * picture injected from 4 to 7 s and a silence from 8 to 11 s must come out as alarms at those media times, with
 * wall-clock times when they happened.
 */
@Timeout(120)
class LiveInputsTest {
    static final double SECONDS = 12;
    static final List<String> DETECTORS = List.of("black", "silence", "stall");

    @TempDir
    static Path dir;
    static HttpServer http;
    static EventHub hub;
    static LocalStreamRegistry registry;
    static LiveSources.Collector events;

    @BeforeAll
    static void start() throws Exception {
        http = LiveSources.fileServer(dir);
        hub = new EventHub(1000);
        events = new LiveSources.Collector(hub);
        registry = LiveSources.liveRegistry(hub, Duration.ofSeconds(5), dir);
    }

    /** Each test removed its stream: every alarm resolved, the record keeping the contract's invariants. */
    @AfterEach
    void invariants() {
        EventInvariants.assertComplete(events.events());
    }

    @AfterAll
    static void stop() {
        registry.close();
        events.close();
        http.stop(0);
    }

    @Test
    void hlsOverHttp() throws Exception {
        Path out = Files.createDirectories(dir.resolve("hls"));
        registry.add(new StreamSpec("hls", "http://127.0.0.1:" + http.getAddress().getPort() + "/hls/live.m3u8",
                DETECTORS, null));
        Instant began = Instant.now();
        Process ffmpeg = LiveSources.ffmpeg(dir.resolve("hls.log"), LiveSources.testSignal(SECONDS),
                LiveSources.defects(4, 7, 8, 11), LiveSources.encode(),
                List.of("-f", "hls", "-hls_time", "1", "-hls_list_size", "0",
                        "-hls_segment_filename", out.resolve("seg%03d.ts").toString(), out.resolve("live.m3u8").toString()));
        try {
            // A segment is fetched once it is complete: up to 2 s later than a frame-by-frame protocol.
            check("hls", began, 4.5);
        } finally {
            LiveSources.stop(ffmpeg);
            registry.remove("hls");
        }
    }

    @Test
    void mpegTsOverUdp() throws Exception {
        int port = LiveSources.freeUdpPort();
        registry.add(new StreamSpec("udp", "udp://127.0.0.1:" + port, DETECTORS, null));
        // Let the reader bind the port before the first packet goes out.
        Thread.sleep(700);
        Instant began = Instant.now();
        Process ffmpeg = LiveSources.ffmpeg(dir.resolve("udp.log"), LiveSources.testSignal(SECONDS),
                LiveSources.defects(4, 7, 8, 11), LiveSources.encode(),
                List.of("-f", "mpegts", "udp://127.0.0.1:" + port + "?pkt_size=1316"));
        try {
            check("udp", began, 1.5);
        } finally {
            LiveSources.stop(ffmpeg);
            registry.remove("udp");
        }
    }

    @Test
    void srtFromAListener() throws Exception {
        int port = LiveSources.freeUdpPort();
        Instant began = Instant.now();
        Process ffmpeg = LiveSources.ffmpeg(dir.resolve("srt.log"), LiveSources.testSignal(SECONDS),
                LiveSources.defects(4, 7, 8, 11), LiveSources.encode(),
                List.of("-f", "mpegts", "srt://127.0.0.1:" + port + "?mode=listener"));
        try {
            registry.add(new StreamSpec("srt", "srt://127.0.0.1:" + port, DETECTORS, null));
            check("srt", began, 2.5);
        } finally {
            LiveSources.stop(ffmpeg);
            registry.remove("srt");
        }
    }

    @Test
    void rtmpFromFfmpegsOwnServer() throws Exception {
        // ffmpeg's RTMP listen mode is the server here (no nginx needed): it serves the stream to the client that
        // connects and plays.
        int port = LiveSources.freeTcpPort();
        Instant began = Instant.now();
        Process ffmpeg = LiveSources.ffmpeg(dir.resolve("rtmp.log"), LiveSources.testSignal(SECONDS),
                LiveSources.defects(4, 7, 8, 11), List.of("-c:v", "libx264", "-preset", "ultrafast", "-tune",
                        "zerolatency", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac"),
                List.of("-f", "flv", "-listen", "1", "rtmp://127.0.0.1:" + port + "/live/test"));
        try {
            registry.add(new StreamSpec("rtmp", "rtmp://127.0.0.1:" + port + "/live/test", DETECTORS, null));
            check("rtmp", began, 2.5);
        } finally {
            LiveSources.stop(ffmpeg);
            registry.remove("rtmp");
        }
    }

    /** Black at 4..7 s and silence at 8..11 s of media time; wall times within {@code lateSeconds} of the source's. */
    private static void check(String stream, Instant began, double lateSeconds) throws Exception {
        Event.Alarm black = events.awaitAlarm(Duration.ofSeconds(30), stream, "black", false);
        assertThat(black.start()).isCloseTo(4.0, within(0.1));
        assertThat(black.end()).isCloseTo(7.0, within(0.1));
        Instant wallStart = Instant.parse(black.wallStart());
        double wallOffset = Duration.between(began, wallStart).toMillis() / 1000.0;
        assertThat(wallOffset).as("black's wallStart after the source began").isBetween(3.5, 4.0 + lateSeconds);
        assertThat(black.wallEnd()).isNotNull();

        Event.Alarm silence = events.awaitAlarm(Duration.ofSeconds(20), stream, "silence", true);
        assertThat(silence.start()).isCloseTo(8.0, within(0.1));
        assertThat(silence.wallStart()).isNotNull();

        StreamStatus status = registry.get(stream).orElseThrow();
        assertThat(status.state()).isEqualTo(StreamStatus.State.RUNNING);
        assertThat(status.frames()).isGreaterThan(200);
        // None on an idle machine; a starved one (CI, a shared 2-core box) may lose a few to stay live.
        assertThat(status.droppedFrames()).isLessThan(status.frames() / 10);
        assertThat(status.alarmsByDetector()).containsKeys("black", "silence");
        assertThat(registry.thumbnail(stream)).hasValueSatisfying(jpeg ->
                assertThat(jpeg).startsWith((byte) 0xFF, (byte) 0xD8));
        assertThat(registry.alarmFigures(stream).orElseThrow().latencyCount()).isGreaterThanOrEqualTo(2);
    }
}
