package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * AudioLevels against a plain per-sample reference, on runs of random blocks (silent stretches, noise, clipped runs
 * that straddle blocks, empty blocks). A fresh seed each time, printed; -Dvigil.seed=N replays one.
 */
class AudioLevelsTest {
    private final long seed = Long.getLong("vigil.seed", System.nanoTime());
    private final Random random = new Random(seed);

    @RepeatedTest(30)
    void randomBlocksMatchReference() {
        System.out.println("AudioLevelsTest: seed " + seed);
        int channels = 1 + random.nextInt(6);
        double noise = new double[] {0.001, 0.01, 0.0, 0.1}[random.nextInt(4)];
        double channelNoise = random.nextBoolean() ? noise : new double[] {0.001, 0.003, 0.05}[random.nextInt(3)];
        float clipLevel = new float[] {1.0f, 0.999f, 0.99885f, 0.5f}[random.nextInt(4)];
        int minRun = 1 + random.nextInt(5);
        AudioLevels levels = new AudioLevels(new AudioLevels.Config(noise, channelNoise, clipLevel, minRun));
        Reference ref = new Reference(channels, (float) noise, (float) channelNoise, clipLevel, minRun);
        AudioStats out = new AudioStats();
        int rate = 48000;
        double pts = random.nextDouble() * 10;
        int blocks = 1 + random.nextInt(10);
        for (int b = 0; b < blocks; b++) {
            int n = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(3000);
            float[][] data = new float[channels][n + random.nextInt(50)]; // arrays may be longer than the block
            for (int c = 0; c < channels; c++) {
                fill(data[c], n, (float) Math.max(noise, channelNoise), clipLevel);
            }
            levels.compute(data, n, rate, pts, out);
            ref.block(data, n);
            String where = String.format("seed %d, block %d of %d (%d samples, %d channels, noise %s/%s, clip %s x%d)",
                    seed, b, blocks, n, channels, noise, channelNoise, clipLevel, minRun);
            assertThat(out.samples).isEqualTo(n);
            assertThat(out.channels).isEqualTo(channels);
            assertThat(out.ptsSeconds).isEqualTo(pts);
            assertThat(out.leadingSilentSamples).as(where).isEqualTo(ref.leading);
            assertThat(out.trailingSilentSamples).as(where).isEqualTo(ref.trailing);
            assertThat(out.sumProduct01).as(where)
                    .isCloseTo(ref.product01, offset(1e-9 * (1 + Math.abs(ref.product01))));
            for (int c = 0; c < channels; c++) {
                String ch = where + ", channel " + c;
                assertThat(out.peak[c]).as(ch).isEqualTo(ref.peak[c]);
                assertThat(out.rms[c]).as(ch).isCloseTo(ref.rms[c], offset(1e-9));
                assertThat(out.sum[c]).as(ch).isCloseTo(ref.sum[c], offset(1e-9 * (1 + Math.abs(ref.sum[c]))));
                assertThat(out.sumSquares[c]).as(ch)
                        .isCloseTo(ref.sumSquares[c], offset(1e-9 * (1 + ref.sumSquares[c])));
                assertThat(out.channelLeadingSilentSamples[c]).as(ch).isEqualTo(ref.channelLeading[c]);
                assertThat(out.channelTrailingSilentSamples[c]).as(ch).isEqualTo(ref.channelTrailing[c]);
                assertThat(out.channelSilent(c)).as(ch).isEqualTo(ref.channelLeading[c] == n);
                assertThat(out.clipEvents[c]).as(ch).isEqualTo(ref.clipEvents[c]);
                assertThat(out.clippedSamples[c]).as(ch).isEqualTo(ref.clipped[c]);
                assertThat(out.clipEndOffset[c]).as(ch).isEqualTo(ref.clipEnd[c]);
                if (ref.clipEvents[c] > 0) {
                    assertThat(out.clipStartOffset[c]).as(ch).isEqualTo(ref.clipStart[c]);
                }
            }
            pts += (double) n / rate;
        }
    }

    @Test
    void clipRunsAcrossBlocksAndSigns() {
        AudioLevels levels = new AudioLevels(new AudioLevels.Config(0.001, 0.001, 0.999, 3));
        AudioStats out = new AudioStats();
        // Two full-scale samples end the first block, the third opens the next: one event, confirmed there.
        levels.compute(new float[][] {{0.2f, 0.5f, 1.0f, 1.0f}}, 4, 48000, 0, out);
        assertThat(out.clipEvents[0]).isZero();
        assertThat(out.clipEndOffset[0]).isEqualTo(-1);
        float[] next = {1.0f, 0.9995f, 0.3f, 1f, -1f, -1f, 1f, -1f, -1f, -1f, -1f};
        levels.compute(new float[][] {next}, 11, 48000, 4 / 48000.0, out);
        assertThat(out.clipEvents[0]).isEqualTo(2);
        assertThat(out.clipStartOffset[0]).isEqualTo(-2);
        assertThat(out.clippedSamples[0]).isEqualTo(4 + 4);
        assertThat(out.clipEndOffset[0]).isEqualTo(11);
        // A sign change is a new run: +1 -1 +1 at full scale is no clip event.
        levels.reset();
        levels.compute(new float[][] {{1f, -1f, 1f, -1f, 1f}}, 5, 48000, 0, out);
        assertThat(out.clipEvents[0]).isZero();
    }

    @Test
    void perChannelSilenceAndPair() {
        AudioLevels levels = new AudioLevels(0.001);
        AudioStats out = new AudioStats();
        float[] left = {0.5f, -0.5f, 0.5f, 0f};
        float[] right = {0f, 0f, 0.0005f, 0.2f};
        levels.compute(new float[][] {left, right}, 4, 48000, 0, out);
        assertThat(out.leadingSilentSamples).isZero();
        assertThat(out.trailingSilentSamples).isZero();
        assertThat(out.channelLeadingSilentSamples).containsExactly(0, 3);
        assertThat(out.channelTrailingSilentSamples).containsExactly(1, 0);
        assertThat(out.sumProduct01).isCloseTo(0.5 * 0.0005, offset(1e-9));
        assertThat(out.sum[0]).isCloseTo(0.5, offset(1e-9));
        assertThat(out.sumSquares[1]).isCloseTo(0.04 + 0.00000025, offset(1e-7));
        assertThat(out.secondsAt(24)).isCloseTo(0.0005, offset(1e-12));
    }

    @Test
    void refusesBadSettings() {
        assertThatThrownBy(() -> new AudioLevels(new AudioLevels.Config(2, 0.001, 1, 3)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AudioLevels(new AudioLevels.Config(0.001, 0.001, 0, 3)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AudioLevels(new AudioLevels.Config(0.001, 0.001, 1, 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Stretches of silence, noise, loud tone and full-scale runs of either sign, at random. */
    private void fill(float[] s, int n, float silent, float clipLevel) {
        int i = 0;
        while (i < n) {
            int len = 1 + random.nextInt(random.nextBoolean() ? 8 : 600);
            int mode = random.nextInt(5);
            for (int k = 0; k < len && i < n; k++, i++) {
                s[i] = switch (mode) {
                    case 0 -> silent * (random.nextFloat() * 2 - 1) * 0.99f;
                    case 1 -> random.nextFloat() * 2 - 1;
                    case 2 -> (float) (0.8 * Math.sin(i * 0.05));
                    case 3 -> clipLevel + random.nextFloat() * (1.05f - clipLevel);
                    default -> -1f;
                };
            }
        }
    }

    /** The statistics sample by sample, the way they are defined. */
    private static final class Reference {
        final float noise;
        final float channelNoise;
        final float clipLevel;
        final int minRun;
        final int[] run;
        final int[] sign;
        int leading;
        int trailing;
        double product01;
        final double[] peak;
        final double[] rms;
        final double[] sum;
        final double[] sumSquares;
        final int[] channelLeading;
        final int[] channelTrailing;
        final int[] clipEvents;
        final int[] clipped;
        final int[] clipStart;
        final int[] clipEnd;

        Reference(int channels, float noise, float channelNoise, float clipLevel, int minRun) {
            this.noise = noise;
            this.channelNoise = channelNoise;
            this.clipLevel = clipLevel;
            this.minRun = minRun;
            run = new int[channels];
            sign = new int[channels];
            peak = new double[channels];
            rms = new double[channels];
            sum = new double[channels];
            sumSquares = new double[channels];
            channelLeading = new int[channels];
            channelTrailing = new int[channels];
            clipEvents = new int[channels];
            clipped = new int[channels];
            clipStart = new int[channels];
            clipEnd = new int[channels];
        }

        void block(float[][] data, int n) {
            int channels = data.length;
            int firstLoud = n;
            int lastLoud = -1;
            product01 = 0;
            for (int c = 0; c < channels; c++) {
                float[] s = data[c];
                float p = 0;
                double e = 0;
                double total = 0;
                int cFirst = n;
                int cLast = -1;
                clipEvents[c] = 0;
                clipped[c] = 0;
                clipEnd[c] = -1;
                for (int i = 0; i < n; i++) {
                    float v = s[i];
                    float a = Math.abs(v);
                    p = Math.max(p, a);
                    e += v * v;
                    total += v;
                    if (c == 1) {
                        product01 += data[0][i] * v;
                    }
                    if (!(a < noise)) {
                        firstLoud = Math.min(firstLoud, i);
                        lastLoud = Math.max(lastLoud, i);
                    }
                    if (!(a < channelNoise)) {
                        cFirst = Math.min(cFirst, i);
                        cLast = i;
                    }
                    int sg = v >= clipLevel ? 1 : v <= -clipLevel ? -1 : 0;
                    if (sg == 0) {
                        run[c] = 0;
                    } else {
                        run[c] = run[c] > 0 && sg == sign[c] ? run[c] + 1 : 1;
                        sign[c] = sg;
                        if (run[c] == minRun) {
                            if (clipEvents[c] == 0) {
                                clipStart[c] = i - minRun + 1;
                            }
                            clipEvents[c]++;
                            clipped[c] += minRun;
                            clipEnd[c] = i + 1;
                        } else if (run[c] > minRun) {
                            clipped[c]++;
                            clipEnd[c] = i + 1;
                        }
                    }
                }
                peak[c] = p;
                rms[c] = n == 0 ? 0 : Math.sqrt(e / n);
                sum[c] = total;
                sumSquares[c] = e;
                channelLeading[c] = cFirst;
                channelTrailing[c] = cLast < 0 ? n : n - 1 - cLast;
            }
            leading = firstLoud;
            trailing = lastLoud < 0 ? n : n - 1 - lastLoud;
        }
    }
}
