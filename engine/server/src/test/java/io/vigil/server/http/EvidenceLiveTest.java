package io.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StreamSpec;
import io.vigil.server.config.HostRules;
import io.vigil.server.config.ServeConfig;
import io.vigil.server.evidence.EvidenceSettings;
import io.vigil.server.live.LiveSources;
import io.vigil.server.live.LocalStreamRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alarm's evidence in serve, end to end: a live source (MPEG-TS over UDP: H.264 and MP2) black from 4 to 10 s.
 * The firing black alarm names its start picture and clip by URL; the picture is dark; the clip answers 503 with
 * Retry-After until its post-roll is in, then is an MP4 (video and audio) that starts on a picture before the black
 * (the pre-roll), whose middle frame is black and which ends after the alarm fired; byte ranges; the token; the
 * resolved event repeats both URLs. ffmpeg's signalstats is the oracle for black.
 */
@Timeout(60)
class EvidenceLiveTest {
    static final String TOKEN = "evidence-token";

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aBlackAlarmKeepsItsDarkStartPictureAndAClipFromBeforeItsStartToAfterItFired() throws Exception {
        ServeConfig config = ServeConfig.standard()
                .withLimits(new ServeConfig.Limits(2, 200, List.of("udp"), List.of(), HostRules.allowing("127.0.0.1/32")))
                .withEvidence(new EvidenceSettings(true, dir.resolve("evidence"), 1, 64, true, 2, 2, 20, 16));
        EventHub hub = new EventHub(100);
        try (LiveUdpSource source = LiveUdpSource.start(4, 10, dir.resolve("ffmpeg.log"));
             LiveSources.Collector events = new LiveSources.Collector(hub);
             LocalStreamRegistry registry = new LocalStreamRegistry(config, hub)) {
            ApiServer server = ApiServer.start(new ApiSettings("127.0.0.1", 0, TOKEN, 4096), registry, hub);
            try {
                server.evidence(registry.evidence());
                registry.add(new StreamSpec("cam", source.url(), List.of("black"), Map.of()));
                Event.Alarm firing = events.awaitAlarm(Duration.ofSeconds(20), "cam", "black", true);
                assertThat(firing.thumbnail()).matches("/api/evidence/cam_black-\\d+-\\w+-\\d+\\.jpg");
                assertThat(firing.clip()).matches("/api/evidence/cam_black-\\d+-\\w+-\\d+\\.mp4");

                HttpResponse<byte[]> early = get(server, firing.clip(), TOKEN, null);
                assertThat(early.statusCode()).isEqualTo(503);
                assertThat(early.headers().firstValue("Retry-After")).isPresent();

                HttpResponse<byte[]> picture = get(server, firing.thumbnail(), TOKEN, null);
                assertThat(picture.statusCode()).isEqualTo(200);
                assertThat(picture.headers().firstValue("Content-Type")).hasValue("image/jpeg");
                assertThat(meanLuma(picture.body())).isLessThan(30);
                assertThat(get(server, firing.thumbnail(), null, null).statusCode()).isEqualTo(401);

                HttpResponse<byte[]> clip = awaitClip(server, firing.clip());
                assertThat(clip.headers().firstValue("Content-Type")).hasValue("video/mp4");
                Path mp4 = Files.write(dir.resolve("clip.mp4"), clip.body());
                String streams = run("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name:format=duration",
                        "-of", "default=noprint_wrappers=1", mp4.toString());
                assertThat(streams).contains("codec_type=video").contains("codec_name=h264").contains("codec_type=audio");
                double duration = value(streams, "duration");
                // From a keyframe at most 1 s before the 2 s pre-roll to 2 s after the 2 s raise delay.
                assertThat(duration).isBetween(5.0, 8.5);
                assertThat(lumaAt(mp4, 0)).as("the pre-roll shows the picture before the black").isGreaterThan(40);
                assertThat(lumaAt(mp4, duration / 2)).as("the middle frame").isLessThan(20);
                assertThat(lumaAt(mp4, duration - 0.3)).as("after the alarm fired").isLessThan(20);

                HttpResponse<byte[]> part = get(server, firing.clip(), TOKEN, "bytes=0-99");
                assertThat(part.statusCode()).isEqualTo(206);
                assertThat(part.body()).hasSize(100);
                assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 0-99/" + clip.body().length);
                assertThat(get(server, firing.clip(), TOKEN, "bytes=" + clip.body().length + "-").statusCode())
                        .isEqualTo(416);

                Event.Alarm resolved = events.awaitAlarm(Duration.ofSeconds(20), "cam", "black", false);
                assertThat(resolved.thumbnail()).isEqualTo(firing.thumbnail());
                assertThat(resolved.clip()).isEqualTo(firing.clip());
                assertThat(get(server, "/api/evidence/..%2Fstreams.json", TOKEN, null).statusCode()).isEqualTo(404);
            } finally {
                server.close();
            }
        }
    }

    private HttpResponse<byte[]> awaitClip(ApiServer server, String url) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            HttpResponse<byte[]> r = get(server, url, TOKEN, null);
            if (r.statusCode() != 503 || System.nanoTime() > deadline) {
                assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
                return r;
            }
            Thread.sleep(250);
        }
    }

    private HttpResponse<byte[]> get(ApiServer server, String path, String token, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve(path.substring(1)))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (range != null) {
            b.header("Range", range);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static double meanLuma(byte[] jpeg) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        double sum = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                sum += 0.299 * (rgb >> 16 & 255) + 0.587 * (rgb >> 8 & 255) + 0.114 * (rgb & 255);
            }
        }
        return sum / ((double) image.getWidth() * image.getHeight());
    }

    /** The average luma (signalstats YAVG) of the frame at {@code seconds} into {@code clip}. */
    static double lumaAt(Path clip, double seconds) throws Exception {
        String out = run("ffmpeg", "-v", "error", "-ss", String.format(java.util.Locale.ROOT, "%.3f", seconds),
                "-i", clip.toString(), "-frames:v", "1", "-vf", "signalstats,metadata=mode=print:file=-",
                "-f", "null", "-");
        Matcher m = Pattern.compile("lavfi\\.signalstats\\.YAVG=([0-9.]+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Double.parseDouble(m.group(1));
    }

    static double value(String probe, String key) {
        return Double.parseDouble(probe.lines().filter(l -> l.startsWith(key + "=")).reduce((a, b) -> b)
                .orElseThrow().substring(key.length() + 1));
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
