package io.vigil.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.Ffmpeg;
import io.vigil.engine.config.VigilConfig;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The level meters' per-channel momentary loudness ({@code momentaryLufs.N} in a session's samples): each channel's
 * own BS.1770 loudness over 400 ms, checked against FFmpeg's ebur128 on the same signal alone (mono), and the floor
 * on a silent channel; stereo and 5.1.
 */
class ChannelLoudnessTest {
    /** A 1 kHz sine at -20 dBFS peak (0.1): -23 LUFS on its own. */
    static final String SINE = "0.1*sin(2*PI*1000*t)";
    static final Pattern MOMENTARY = Pattern.compile("M:\\s*(-?[\\d.]+)");

    @TempDir
    Path dir;

    /** The last sample's figures that carry the per-channel loudness of a clip read to its end. */
    static Map<String, Double> lastMeterFigures(Path clip) {
        List<Sample> samples = new ArrayList<>();
        try (StreamSession session = StreamSession.of("c", clip.toString(), VigilConfig.defaults(),
                CpuStatisticsEngine.reference(), e -> { }).samples(0, samples::add).start()) {
            session.open();
            while (session.step()) {
                // one packet a step
            }
            session.finish();
            session.closeInput();
        }
        return samples.stream().map(Sample::figures).filter(f -> f.containsKey("momentaryLufs.0"))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no sample carries momentaryLufs.0"));
    }

    /** FFmpeg's ebur128 momentary loudness of {@code expression} alone (one channel), at the end of 3 s. */
    static double ffmpegMomentary(String expression) throws Exception {
        String log = Ffmpeg.run(List.of("-f", "lavfi", "-i", "aevalsrc=" + expression + ":s=48000:d=3",
                "-af", "ebur128", "-f", "null", "-"));
        Matcher m = MOMENTARY.matcher(log.substring(0, log.lastIndexOf("Summary:")));
        double last = Double.NaN;
        while (m.find()) {
            last = Double.parseDouble(m.group(1));
        }
        return last;
    }

    @Test
    void aSineInOneChannelOfStereoIsMinus23LufsThereAndTheFloorInTheOther() throws Exception {
        Path clip = dir.resolve("left-only.wav");
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "aevalsrc=" + SINE + "|0:s=48000:d=3:c=stereo", "-c:a", "pcm_s16le",
                clip.toString()));
        double oracle = ffmpegMomentary(SINE);
        Map<String, Double> f = lastMeterFigures(clip);
        System.out.printf("stereo, sine left: vigil %s / %s LUFS, ffmpeg ebur128 on the left alone %.1f LUFS%n",
                f.get("momentaryLufs.0"), f.get("momentaryLufs.1"), oracle);
        assertThat(oracle).as("the sine alone, by FFmpeg").isCloseTo(-23.0, offset(0.2));
        assertThat(f.get("momentaryLufs.0")).isCloseTo(-23.0, offset(1.0)).isCloseTo(oracle, offset(0.2));
        assertThat(f.get("momentaryLufs.1")).as("the floor").isEqualTo(StreamAnalyzer.METER_FLOOR_DBFS);
        assertThat(f).doesNotContainKey("momentaryLufs.2");
        // beside the peak, as the bars draw them: the sine's peak is -20 dBFS
        assertThat(f.get("peakDbfs.0")).isCloseTo(-20.0, offset(0.2));
        assertThat(f.get("peakDbfs.1")).isEqualTo(StreamAnalyzer.METER_FLOOR_DBFS);
    }

    @Test
    void fiveOneHasSixChannelsEachAtItsOwnLoudness() throws Exception {
        // FL -23, FR silent, FC -23, LFE -23 (its own loudness, though the programme's sum leaves it out),
        // BL -29 (its own, without the surround weight of the sum), BR silent
        Path clip = dir.resolve("five-one.wav");
        String quieter = "0.05*sin(2*PI*1000*t)";
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "aevalsrc=" + String.join("|", SINE, "0", SINE, SINE, quieter, "0")
                + ":s=48000:d=3:c=5.1", "-c:a", "pcm_s16le", clip.toString()));
        Map<String, Double> f = lastMeterFigures(clip);
        System.out.println("5.1: " + f);
        double[] want = {-23, -100, -23, -23, -29, -100};
        for (int c = 0; c < 6; c++) {
            assertThat(f.get("momentaryLufs." + c)).as("channel %d", c).isCloseTo(want[c], offset(0.3));
        }
        assertThat(f).containsKey("peakDbfs.5").doesNotContainKey("momentaryLufs.6");
    }
}
