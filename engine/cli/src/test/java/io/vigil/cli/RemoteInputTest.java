package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.vigil.engine.Ffmpeg;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A network input served over HTTP on loopback: alarms at the injected times, with wall-clock times. */
class RemoteInputTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void httpMpegTsInputRaisesAlarmsWithWallClockTimes() throws Exception {
        Path clip = dir.resolve("live.ts");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=5,drawbox=enable='gte(t,1)*lt(t,3.6)':color=black:t=fill",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mpegts", clip.toString()));
        byte[] body = Files.readAllBytes(clip);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/live.ts", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "video/mp2t");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            Instant before = Instant.now();
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/live.ts";
            CliResult r = CliResult.run("analyze", "--format", "jsonl", "--no-progress", "--detectors", "black", url);
            assertThat(r.exit).as(r.toString()).isZero();
            List<JsonNode> black = r.alarms("black");
            assertThat(black).as(r.toString()).hasSize(2);
            JsonNode resolved = black.get(1);
            assertThat(resolved.get("start").asDouble()).isCloseTo(1.0, within(0.04));
            assertThat(resolved.get("end").asDouble()).isCloseTo(3.6, within(0.04));
            Instant wallStart = Instant.parse(resolved.get("wallStart").asText());
            assertThat(wallStart).isBetween(before.minusSeconds(5), Instant.now());
            assertThat(Instant.parse(resolved.get("wallEnd").asText())).isAfterOrEqualTo(wallStart);
            assertThat(r.single("summary").get("stream").asText()).isEqualTo("live.ts");
        } finally {
            server.stop(0);
        }
    }
}
