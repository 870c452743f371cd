package io.vigil.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.kernels.HostPlanes.Fill;
import io.vigil.kernels.HostPlanes.Format;
import io.vigil.kernels.StatisticsBackend.Frame;
import io.vigil.kernels.StatisticsBackend.FrameResult;
import io.vigil.kernels.StatisticsBackend.SadResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.util.function.Supplier;

/**
 * The frame difference's integers (SAD over all planes against the reference, and the samples it covers; MAFD is sad /
 * samples / 2^bitDepth), the same assertions for every backend: exact equality with {@link Reference} on random pairs
 * with different pitches, and the cases freezedetect cares about: identical pictures give 0 (also when a shifted
 * format's unused low bits differ), small noise gives a small SAD, black against white the most.
 */
class FrameDifferenceContract extends ContractSupport {
    FrameDifferenceContract(Supplier<StatisticsBackend> opener) {
        super(opener);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void randomPairsMatchTheReference(Format format) {
        for (int i = 0; i < 10; i++) {
            int width = randomWidth();
            int height = randomHeight();
            HostPlanes a = planes(format, width, height, random.nextBoolean() ? Fill.NOISE : Fill.DARK_RUNS);
            HostPlanes b = planes(format, width, height, Fill.NOISE);
            assertThat(backend.sad(a, b)).as(where(a + " against " + b)).isEqualTo(Reference.sad(a, b));
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void nearlyIdenticalPicturesGiveASmallSad(Format format) {
        HostPlanes a = planes(format, randomWidth(), randomHeight(), Fill.NOISE);
        HostPlanes b = a.nearCopy(arena, 2, random);
        SadResult result = backend.sad(a, b);
        assertThat(result).as(where(a + " against " + b)).isEqualTo(Reference.sad(a, b));
        assertThat(result.sad()).as(where(a)).isLessThanOrEqualTo(2 * result.samples());
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void identicalPicturesWithOtherPitchesAndLowBitsGiveZero(Format format) {
        HostPlanes a = planes(format, randomWidth(), randomHeight(), Fill.DARK_RUNS);
        HostPlanes b = a.nearCopy(arena, 0, random);
        long samples = 0;
        for (int p = 0; p < a.planeCount(); p++) {
            samples += a.samples(p);
        }
        assertThat(backend.sad(a, b)).as(where(a + " against " + b)).isEqualTo(new SadResult(0, samples));
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void blackAgainstTheLargestValueIsTheLargestSad(Format format) {
        int width = 1 + random.nextInt(300);
        int height = 1 + random.nextInt(20);
        HostPlanes black = planes(format, width, height, Fill.BLACK);
        HostPlanes max = planes(format, width, height, Fill.MAX);
        SadResult result = backend.sad(black, max);
        assertThat(result).as(where(black + " against " + max))
                .isEqualTo(new SadResult((long) format.maxValue() * result.samples(), result.samples()))
                .isEqualTo(Reference.sad(black, max));
    }

    @Test
    void fullHdNv12AndUhdP010() {
        HostPlanes hd = planes(Format.NV12, 1920, 1080, Fill.NOISE);
        HostPlanes uhd = planes(Format.P010, 3840, 2160, Fill.DARK_RUNS);
        HostPlanes hd2 = hd.nearCopy(arena, 4, random);
        HostPlanes uhd2 = uhd.nearCopy(arena, 1, random);
        assertThat(backend.sad(hd, hd2)).as(where(hd)).isEqualTo(Reference.sad(hd, hd2));
        assertThat(backend.sad(uhd, uhd2)).as(where(uhd)).isEqualTo(Reference.sad(uhd, uhd2));
    }

    @Test
    void aBatchOfFiveDifferentFramesKeepsEachFramesOwnResult() {
        List<Frame> frames = new ArrayList<>();
        HostPlanes nv12 = planes(Format.NV12, 321, 19, Fill.NOISE);
        frames.add(new Frame(nv12, nv12.nearCopy(arena, 5, random), 37));
        frames.add(new Frame(planes(Format.P010, 100, 10, Fill.DARK_RUNS), null, 151)); // no reference: no SAD
        HostPlanes p010 = planes(Format.P010, 77, 13, Fill.NOISE);
        frames.add(new Frame(p010, planes(Format.P010, 77, 13, Fill.NOISE), 151));
        HostPlanes yuv = planes(Format.YUV420P, 31, 31, Fill.BLACK);
        frames.add(new Frame(yuv, planes(Format.YUV420P, 31, 31, Fill.MAX), 16));
        HostPlanes deep = planes(Format.YUV420P10, 640, 2, Fill.NOISE);
        frames.add(new Frame(deep, deep.nearCopy(arena, 0, random), 64));
        List<FrameResult> results = backend.batch(frames);
        assertThat(results).hasSize(5);
        for (int slot = 0; slot < 5; slot++) {
            Frame frame = frames.get(slot);
            SadResult expected = frame.referenceOrNull() == null
                    ? SadResult.NONE
                    : Reference.sad(frame.planes(), frame.referenceOrNull());
            assertThat(results.get(slot).sad()).as(where("slot " + slot + ": " + frame.planes()))
                    .isEqualTo(expected);
            assertThat(results.get(slot).luma()).as(where("slot " + slot + " luma"))
                    .isEqualTo(Reference.luma(frame.planes(), frame.threshold()));
        }
        assertThat(results.get(4).sad().sad()).isZero();
    }
}
