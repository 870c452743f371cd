package io.vigil.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard vets the URLs FFmpeg opens on an input's behalf, not only the input's own: an HLS playlist on an
 * allowed host (127.0.0.1) whose segments live on another (127.0.0.2, a second server) is refused when the guard
 * refuses that host, and the segment server never hears a request; the same playlist plays when the guard allows both.
 */
class OpenGuardTest {
    @TempDir
    static Path dir;
    static HttpServer playlists;
    static HttpServer segments;
    static final AtomicInteger segmentRequests = new AtomicInteger();
    static final List<String> vetted = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void serve() throws Exception {
        MediaInputTest.run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                "-i", "testsrc2=s=160x120:r=25:d=3", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                "-f", "hls", "-hls_time", "1", "-hls_list_size", "0", dir.resolve("index.m3u8").toString());
        segments = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0), 8);
        segments.createContext("/", x -> {
            segmentRequests.incrementAndGet();
            Path file = dir.resolve(x.getRequestURI().getPath().substring(1));
            byte[] body = Files.readAllBytes(file);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        segments.start();
        String segmentBase = "http://127.0.0.2:" + segments.getAddress().getPort() + "/";
        String playlist = Files.readString(dir.resolve("index.m3u8")).replaceAll("(?m)^(index\\d+\\.ts)$",
                segmentBase + "$1");
        playlists = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        playlists.createContext("/live.m3u8", x -> send(x, playlist.getBytes()));
        playlists.createContext("/moved.ts", x -> {
            x.getResponseHeaders().add("Location", segmentBase + "index0.ts");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        playlists.start();
    }

    private static void send(com.sun.net.httpserver.HttpExchange x, byte[] body) throws IOException {
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    @AfterAll
    static void stop() {
        playlists.stop(0);
        segments.stop(0);
    }

    static String playlistUrl(String path) {
        return "http://127.0.0.1:" + playlists.getAddress().getPort() + path;
    }

    static DecodeOptions guarded(String refusedHost) {
        return new DecodeOptions(1, Duration.ofSeconds(5)).withGuard(url -> {
            vetted.add(url);
            return UrlParts.split(url).host().equals(refusedHost) ? refusedHost + " is not allowed here" : null;
        });
    }

    @Test
    void segmentsOnARefusedHostAreNeverRequested() {
        int before = segmentRequests.get();
        vetted.clear();
        assertThatThrownBy(() -> MediaInput.open(playlistUrl("/live.m3u8"), guarded("127.0.0.2")).close())
                .isInstanceOf(MediaException.class)
                .hasMessageContaining("refused to open http://127.0.0.2:")
                .hasMessageContaining("127.0.0.2 is not allowed here");
        assertThat(segmentRequests.get()).isEqualTo(before);
        assertThat(vetted).anyMatch(u -> u.endsWith("/live.m3u8")).anyMatch(u -> u.contains("127.0.0.2"));
    }

    @Test
    void theSamePlaylistPlaysWhenTheGuardAllowsBothHosts() {
        int before = segmentRequests.get();
        long[] frames = {0};
        try (MediaInput in = MediaInput.open(playlistUrl("/live.m3u8"), guarded("nowhere"))) {
            in.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame f) {
                    frames[0]++;
                }

                @Override
                public void onAudio(AudioBlock b) {
                }
            });
        }
        assertThat(frames[0]).isEqualTo(75);
        assertThat(segmentRequests.get()).isGreaterThanOrEqualTo(before + 3);
    }

    @Test
    void aRedirectToARefusedHostIsNotRead() {
        assertThatThrownBy(() -> MediaInput.open(playlistUrl("/moved.ts"), guarded("127.0.0.2")).close())
                .isInstanceOf(MediaException.class)
                .hasMessageContaining("refused to open http://127.0.0.2:")
                .hasMessageContaining("a redirect from http://127.0.0.1:");
    }

    @Test
    void theInputsOwnUrlIsRefusedBeforeFfmpegSeesIt() {
        vetted.clear();
        assertThatThrownBy(() -> MediaInput.open("http://127.0.0.2:1/x.ts", guarded("127.0.0.2")).close())
                .isInstanceOf(MediaException.class)
                .hasMessage("Refused to open http://127.0.0.2:1/x.ts: 127.0.0.2 is not allowed here");
    }
}
