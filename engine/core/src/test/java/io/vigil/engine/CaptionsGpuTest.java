package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.data.Offset.offset;
import static org.junit.jupiter.api.Assumptions.abort;

import io.vigil.engine.alarm.Event;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.DecodeTarget;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.kernels.engine.BackendChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * captions on the GPU path, on a GPU host: NVDEC frames (in device memory) carry the same A/53 side data as the
 * CPU's, and {@code --backend gpu} raises the same alarm. Skipped without a GPU; {@code -Dvigil.gpu=required} (the
 * GPU host's check) makes a missing one a failure.
 */
class CaptionsGpuTest {
    @Test
    void nvdecFramesCarryTheirCaptionsAndTheGpuBackendRaisesTheSameAlarm(@TempDir Path dir) throws Exception {
        requireGpu();
        byte[] text = CaptionClips.repeat(CaptionClips.CEA608_TEXT, 2);
        Path clip = CaptionClips.write(dir.resolve("stops.ts"), 8, n -> n < 100 ? text : CaptionClips.CEA608_PADDING);

        int[] onDeviceWithCaptions = new int[3]; // frames, on the device, with captions
        try (MediaInput input = MediaInput.open(clip.toString(),
                new DecodeOptions(0, Duration.ofSeconds(10), DecodeTarget.cuda(0)))) {
            input.readAll(new MediaSink() {
                @Override
                public void onVideo(VideoFrame frame) {
                    onDeviceWithCaptions[0]++;
                    onDeviceWithCaptions[1] += frame.onDevice() ? 1 : 0;
                    onDeviceWithCaptions[2] += frame.captions().cea608Field1 == 2 ? 1 : 0;
                }

                @Override
                public void onAudio(AudioBlock block) {
                }
            });
        }
        assertThat(onDeviceWithCaptions).containsExactly(200, 200, 100);

        List<Event.Alarm> alarms = CaptionsClipTest.alarms(clip, CaptionsClipTest.TWO_SECONDS.withBackend(BackendChoice.GPU));
        assertThat(alarms).hasSize(1);
        assertThat(alarms.getFirst().start()).isCloseTo(4.0, offset(CaptionsClipTest.FRAME / 2));
    }

    private static void requireGpu() {
        String why;
        try {
            Optional<CudaDriver> driver = CudaDriver.load();
            if (driver.isPresent()) {
                driver.get().init();
                if (driver.get().deviceCount() > 0) {
                    return;
                }
            }
            why = driver.isEmpty() ? "no NVIDIA driver" : "the NVIDIA driver reports no GPU";
        } catch (RuntimeException e) {
            why = "the NVIDIA driver does not work here: " + e.getMessage();
        }
        if ("required".equals(System.getProperty("vigil.gpu"))) {
            fail("-Dvigil.gpu=required, but " + why);
        }
        abort("GPU test skipped: " + why);
    }
}
