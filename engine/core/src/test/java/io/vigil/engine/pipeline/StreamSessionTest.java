package io.vigil.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.engine.Ffmpeg;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.engine.config.VigilConfig;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session reads its input once, or watches it: reopened, the input's media time goes on where it was, and the
 * summary counts every input; its listeners hear samples and pictures on the analysing thread.
 */
class StreamSessionTest {
    static final int FRAMES = 50;
    static final long HOUR_NANOS = 3_600_000_000_000L;

    @TempDir
    static Path dir;
    static Path clip;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = dir.resolve("two-seconds.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=2",
                "-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=2",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le",
                clip.toString()));
    }

    static void readToEnd(StreamSession session) {
        session.open();
        while (session.step()) {
            // one packet a step
        }
        session.closeInput();
    }

    @Test
    void aWatchedInputReopenedContinuesItsTimeline() {
        List<Event> events = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        List<byte[]> pictures = new ArrayList<>();
        AtomicInteger starts = new AtomicInteger();
        Event.Summary summary;
        try (StreamSession session = StreamSession.of("w", clip.toString(), VigilConfig.defaults(),
                        CpuStatisticsEngine.reference(), events::add).watching()
                .onInputStarted(starts::incrementAndGet)
                .samples(0, samples::add)
                .pictures(HOUR_NANOS, pictures::add)
                .start()) {
            readToEnd(session);
            double firstEnd = session.timelineEndSeconds();
            readToEnd(session);
            assertThat(session.timelineEndSeconds()).isGreaterThanOrEqualTo(2 * firstEnd);
            summary = session.finish();
        }
        EventInvariants.assertComplete(events);
        assertThat(starts).hasValue(2);
        assertThat(summary.frames()).isEqualTo(2 * FRAMES);
        assertThat(summary.audioSamples()).isEqualTo(2 * 96_000);
        assertThat(summary.mediaSeconds()).isBetween(4.0, 6.0);
        assertThat(summary.droppedFrames()).isZero();
        // One timeline: the pictures the analysis saw never went back in media time, and reached the second
        // input's end (before the first picture a sample gives the audio's time).
        double last = Double.NEGATIVE_INFINITY;
        for (Sample s : samples) {
            if (s.framesAnalysed() > 0) {
                assertThat(s.mediaSeconds()).isGreaterThanOrEqualTo(last);
                last = s.mediaSeconds();
            }
        }
        assertThat(last).isGreaterThan(3.9);
        assertThat(samples.getLast().framesAnalysed()).isEqualTo(2 * FRAMES);
        assertThat(samples.getLast().figures()).containsKeys("lumaMean", "rmsDbfs");
        // the level meters' figures since the sample before: ffmpeg's sine is at 1/8 of full scale (peak -18 dBFS,
        // RMS 3 dB below)
        assertThat(samples).anySatisfy(s -> {
            assertThat(s.figures().get("peakDbfs.0")).isBetween(-18.5, -17.5);
            assertThat(s.figures().get("levelDbfs.0")).isBetween(-21.5, -20.5);
        });
        // The first frame's picture, then none within the hour.
        assertThat(pictures).hasSize(1);
        assertThat(pictures.getFirst()).startsWith((byte) 0xFF, (byte) 0xD8);
    }

    @Test
    void anInputReadOnceIsSummedUpAsItsOwnAndOpensOnce() {
        List<Event> events = new ArrayList<>();
        try (StreamSession session = StreamSession.of("o", clip.toString(), VigilConfig.defaults(),
                CpuStatisticsEngine.reference(), events::add).start()) {
            session.open();
            while (session.step()) {
                assertThat(session.framesDecoded()).isLessThanOrEqualTo(FRAMES);
            }
            Event.Summary summary = session.finish();
            assertThat(summary.input()).isEqualTo(clip.toString());
            assertThat(summary.frames()).isEqualTo(FRAMES);
            assertThat(summary.mediaSeconds()).isEqualTo(2.0);
            session.closeInput();
            assertThatThrownBy(session::open).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void anInputThatCannotBeOpenedSaysWhy() {
        try (StreamSession session = StreamSession.of("m", dir.resolve("missing.mkv").toString(),
                VigilConfig.defaults(), CpuStatisticsEngine.reference(), e -> { }).start()) {
            assertThatThrownBy(session::open).isInstanceOf(InputException.class).hasMessageContaining("No such file");
        }
        assertThatThrownBy(() -> StreamSession.of("g", "gopher://x/y", VigilConfig.defaults(), CpuStatisticsEngine.reference(),
                e -> { }).start()).isInstanceOf(InputException.class).hasMessageContaining("gopher");
    }

    @Test
    void aGuardSeesEveryOpenAndItsRefusalIsTheReason() {
        List<String> asked = new ArrayList<>();
        try (StreamSession session = StreamSession.of("g", clip.toString(), VigilConfig.defaults(),
                CpuStatisticsEngine.reference(), e -> { }).guard(url -> {
                    asked.add(url);
                    return "files are not allowed here";
                }).start()) {
            assertThatThrownBy(session::open).isInstanceOf(InputException.class)
                    .hasMessage("Refused to open " + clip + ": files are not allowed here");
        }
        assertThat(asked).containsExactly(clip.toString());
    }

    @Test
    void aUrlsSecretsNeverReachTheSummaryOrTheErrors() {
        String url = "http://user:pw@127.0.0.1:1/live.m3u8?token=s3cret&q=1";
        List<Event> events = new ArrayList<>();
        try (StreamSession session = StreamSession.of("s", url, VigilConfig.defaults(),
                CpuStatisticsEngine.reference(), events::add).guard(u -> "no").start()) {
            assertThatThrownBy(session::open).isInstanceOf(InputException.class)
                    .hasMessage("Refused to open http://***@127.0.0.1:1/live.m3u8?token=***&q=1: no");
            assertThat(session.finish().input()).isEqualTo("http://***@127.0.0.1:1/live.m3u8?token=***&q=1");
            assertThat(session.toString()).doesNotContain("s3cret").doesNotContain("pw");
        }
    }
}
