package io.vigil.engine.transport;

import static io.vigil.engine.transport.Tr101290ClipTest.checksRaised;
import static io.vigil.engine.transport.Tr101290ClipTest.transport;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.Analysis;
import io.vigil.engine.Ffmpeg;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tr101290} on HLS: the TS segments an HLS playlist names reach the analyser one after the other through the
 * byte tap; continuity runs on across segments (a clean HLS raises nothing, a packet missing in one segment is a
 * Continuity_count_error), and starts afresh after an {@code EXT-X-DISCONTINUITY}.
 */
class HlsTr101290Test {
    @TempDir
    static Path dir;
    static int segments;

    @BeforeAll
    static void makeHls() throws Exception {
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i",
                "sine=frequency=440", "-t", "6", "-c:v", "mpeg2video", "-g", "25", "-b:v", "1M", "-c:a", "mp2",
                // Constant rate, as a contribution multiplex (the timed checks measure time by the bytes), and a PAT
                // every 0.1 s (left to itself the muxer leaves gaps over TR 101 290's 0.5 s: PAT_error).
                "-f", "hls", "-hls_ts_options", "muxrate=2000000:pat_period=0.1", "-hls_time", "1", "-hls_list_size", "0", "-hls_playlist_type", "vod",
                "-hls_segment_filename", dir.resolve("seg%d.ts").toString(), dir.resolve("clean.m3u8").toString()));
        segments = (int) Files.readAllLines(dir.resolve("clean.m3u8")).stream().filter(l -> l.endsWith(".ts")).count();
    }

    static List<Event> analyse(Path playlist) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(playlist.toString(), "hls", VigilConfig.defaults(), events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        EventInvariants.assertComplete(events);
        return events;
    }

    /** A playlist of {@code lines} (segment names and tags) in the HLS's folder. */
    static Path playlist(String name, List<String> lines) throws Exception {
        List<String> all = new ArrayList<>(List.of("#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2",
                "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD"));
        for (String l : lines) {
            all.add(l.endsWith(".ts") ? "#EXTINF:1.0,\n" + l : l);
        }
        all.add("#EXT-X-ENDLIST");
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", all) + "\n");
        return p;
    }

    @Test
    void aCleanHlsIsReadSegmentAfterSegmentAndRaisesNothing() throws Exception {
        assertThat(segments).isGreaterThanOrEqualTo(4);
        List<Event> events = analyse(dir.resolve("clean.m3u8"));
        assertThat(checksRaised(events)).isEmpty();
        long bytes = 0;
        for (int i = 0; i < segments; i++) {
            bytes += Files.size(dir.resolve("seg" + i + ".ts"));
        }
        Event.Transport figures = transport(events);
        assertThat(figures.packets()).as("every segment's packets").isEqualTo(bytes / 188);
        assertThat(figures.errors()).isEmpty();
    }

    @Test
    void aPacketMissingInOneSegmentIsAContinuityCountError() throws Exception {
        TsPackets seg = new TsPackets(Files.readAllBytes(dir.resolve("seg2.ts")));
        for (int i = seg.packets.size() / 2; ; i++) {
            if (TsPackets.pid(seg.packets.get(i)) == TsPackets.VIDEO_PID) {
                seg.packets.remove(i);
                break;
            }
        }
        Files.write(dir.resolve("cut2.ts"), seg.bytes());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < segments; i++) {
            lines.add(i == 2 ? "cut2.ts" : "seg" + i + ".ts");
        }
        List<Event> events = analyse(playlist("cut.m3u8", lines));
        assertThat(checksRaised(events)).containsExactly("Continuity_count_error");
        assertThat(transport(events).errors().get("Continuity_count_error")).containsEntry("256", 1L);
    }

    @Test
    void aSegmentSkippedAfterADiscontinuityTagStartsAfreshAndOneSkippedWithoutIsAnError() throws Exception {
        List<Event> tagged = analyse(playlist("tagged.m3u8",
                List.of("seg0.ts", "seg1.ts", "#EXT-X-DISCONTINUITY", "seg3.ts")));
        assertThat(checksRaised(tagged)).doesNotContain("Continuity_count_error");
        List<Event> untagged = analyse(playlist("untagged.m3u8", List.of("seg0.ts", "seg1.ts", "seg3.ts")));
        assertThat(checksRaised(untagged)).contains("Continuity_count_error");
    }
}
