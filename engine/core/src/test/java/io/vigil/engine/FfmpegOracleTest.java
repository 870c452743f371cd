package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import io.vigil.engine.config.ConfigLoader;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vigil's black, freeze and silence alarms against FFmpeg's blackdetect, freezedetect and silencedetect on the same
 * clips: the same intervals, starts and ends within one frame for video and 10 ms for audio. freeze matches
 * freezedetect with its re-coding test off; with it on, the one difference is said where it shows.
 */
class FfmpegOracleTest {
    static final double FRAME = 1 / 25.0;
    /** freeze without its re-coding test: freezedetect's rule, which the oracle applies. */
    static final VigilConfig FREEZEDETECT_RULE = ConfigLoader.parse("freezedetect.yaml",
            "detectors:\n  freeze:\n    recodeNoise: 0\n");
    static final double AUDIO_TOLERANCE = 0.010;

    @TempDir
    static Path dir;
    static Path limited;
    static Path fullRange;

    @BeforeAll
    static void makeClips() throws Exception {
        // Limited range, 16 s: dark grey (Y=30: black below 16 + 0.1 * 219) for frames 75-149 (3.0-6.0 s), a frozen
        // picture for frames 225-299 (9.0-12.0 s), silence 12.5-15.0 s. One keyframe every 10 s.
        limited = dir.resolve("limited.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=16",
                "-f", "lavfi", "-i", "sine=f=1000:r=48000:d=16",
                "-filter_complex", "[0:v]lutyuv=y=30:u=128:v=128:enable='between(n,75,149)',split[s][r];"
                        + "[s][r]freezeframes=first=225:last=299:replace=225[v];"
                        + "[1:a]volume=enable='between(t,12.5,15)':volume=0,pan=stereo|c0=c0|c1=c0[a]",
                "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-g", "250",
                "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", limited.toString()));
        // Full range (yuvj420p), 10 s: Y=30 for 1.0-4.0 s is not black there (threshold 25), Y=20 for 6.0-9.0 s is.
        fullRange = dir.resolve("full.mkv");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=10",
                "-vf", "format=yuvj420p,lutyuv=y=30:u=128:v=128:enable='between(n,25,99)',lutyuv=y=20:u=128:v=128:enable='between(n,150,224)'",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "250", "-pix_fmt", "yuvj420p", fullRange.toString()));
    }

    @Test
    void limitedRangeClipMatchesFfmpeg() throws Exception {
        List<Ffmpeg.Interval> expected = Ffmpeg.detect(limited, true, true);
        assertThat(expected).extracting(Ffmpeg.Interval::detector)
                .containsExactlyInAnyOrder("black", "freeze", "freeze", "silence");
        assertThat(withoutFreezeDuringBlack(expected)).extracting(Ffmpeg.Interval::detector)
                .containsExactlyInAnyOrder("black", "freeze", "silence");
        assertMatches(analyze(limited, FREEZEDETECT_RULE), expected);
        // Where vigil goes beyond freezedetect it disagrees on purpose: x264 refines the held picture over its first
        // frames (steps past -60 dB), so freezedetect starts the freeze at 9.24 s; vigil sees the same picture coded
        // again and starts it at its first frame, 225 (9.0 s). Everything else is the oracle's.
        List<Event.Alarm> byDefault = analyze(limited, VigilConfig.defaults());
        assertThat(byDefault).filteredOn(a -> a.detector().equals("freeze")).singleElement().satisfies(a -> {
            assertThat(a.start()).isCloseTo(9.0, offset(FRAME / 2));
            assertThat(a.end()).isCloseTo(12.0, offset(FRAME));
        });
        assertMatches(byDefault.stream().filter(a -> !a.detector().equals("freeze")).toList(),
                expected.stream().filter(i -> !i.detector().equals("freeze")).toList());
    }

    @Test
    void fullRangeUsesTheFullRangeBlackThreshold() throws Exception {
        List<Ffmpeg.Interval> expected = Ffmpeg.detect(fullRange, true, false);
        List<Event.Alarm> resolved = analyze(fullRange, VigilConfig.defaults());
        assertMatches(resolved, expected);
        // Only the Y=20 stretch is black in full range.
        assertThat(resolved).filteredOn(a -> a.detector().equals("black")).singleElement()
                .satisfies(a -> assertThat(a.start()).isCloseTo(6.0, offset(FRAME)));
    }

    static List<Event.Alarm> analyze(Path clip, VigilConfig config) {
        List<Event> events = new ArrayList<>();
        Analysis.Outcome outcome = Analysis.run(clip.toString(), "t", config, events::add, null, n -> { });
        assertThat(outcome).isEqualTo(Analysis.Outcome.COMPLETE);
        assertFiringThenResolved(events);
        return events.stream().filter(e -> e instanceof Event.Alarm a && !a.firing()).map(e -> (Event.Alarm) e).toList();
    }

    /** Every resolved event follows a firing one with the same dedupKey and start. */
    /** The contract's invariants ({@link EventInvariants}), every alarm resolved, and the summary last. */
    static void assertFiringThenResolved(List<Event> events) {
        EventInvariants.assertComplete(events);
        assertThat(events.getLast()).isInstanceOf(Event.Summary.class);
    }

    /**
     * FFmpeg's freezedetect also reports the still picture of every black stretch; vigil folds that freeze into the
     * black alarm (one failure, one alarm), so those intervals are not expected from it.
     */
    static List<Ffmpeg.Interval> withoutFreezeDuringBlack(List<Ffmpeg.Interval> ffmpeg) {
        List<Ffmpeg.Interval> black = ffmpeg.stream().filter(i -> i.detector().equals("black")).toList();
        return ffmpeg.stream().filter(i -> !(i.detector().equals("freeze") && black.stream()
                .anyMatch(b -> Math.abs(b.start() - i.start()) <= FRAME))).toList();
    }

    static void assertMatches(List<Event.Alarm> actual, List<Ffmpeg.Interval> ffmpeg) {
        List<Ffmpeg.Interval> expected = withoutFreezeDuringBlack(ffmpeg);
        assertThat(actual).as("vigil %s vs ffmpeg %s", actual, expected).hasSameSizeAs(expected);
        for (Ffmpeg.Interval want : expected) {
            double tolerance = want.detector().equals("silence") ? AUDIO_TOLERANCE : FRAME;
            assertThat(actual).as("%s in %s", want, actual).anySatisfy(a -> {
                assertThat(a.detector()).isEqualTo(want.detector());
                assertThat(a.start()).isCloseTo(want.start(), offset(tolerance));
                if (!Double.isNaN(want.end())) {
                    assertThat(a.end()).isCloseTo(want.end(), offset(tolerance));
                }
            });
        }
    }
}
