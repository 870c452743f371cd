package io.vigil.ffi;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_version;
import static org.bytedeco.ffmpeg.global.avformat.avformat_version;
import static org.bytedeco.ffmpeg.global.avutil.AV_HWDEVICE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.av_hwdevice_get_type_name;
import static org.bytedeco.ffmpeg.global.avutil.av_hwdevice_iterate_types;
import static org.bytedeco.ffmpeg.global.avutil.av_version_info;
import static org.bytedeco.ffmpeg.global.avutil.avutil_version;
import static org.bytedeco.ffmpeg.global.swresample.swresample_version;
import static org.bytedeco.ffmpeg.global.swscale.swscale_version;

import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.ffi.cuda.CudaException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;

/**
 * Says what this host can do, for {@code vigil doctor} and for the log line a service prints at start. Like DJL's
 * engine probe it never throws: every part is guarded on its own, a missing library means zero GPUs, and what went
 * wrong becomes one plain sentence in the report instead of a stack trace.
 */
public final class HostProbe {
    static final String NO_DRIVER = "no NVIDIA driver on this host (" + CudaDriver.LIBRARY + " not found)";

    private HostProbe() {
    }

    /** Probes the host. Never throws. */
    public static HostReport probe() {
        return new HostReport(javaVersion(), ffmpegVersion(), ffmpegLibraries(), hwaccels(), cpu(),
                cuda(CudaDriver::load));
    }

    static String javaVersion() {
        try {
            return Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")";
        } catch (Throwable t) {
            return "unknown (" + sentence(t) + ")";
        }
    }

    static String ffmpegVersion() {
        try {
            BytePointer info = av_version_info();
            return info == null ? "unknown" : info.getString();
        } catch (Throwable t) {
            return "unavailable (FFmpeg did not load: " + sentence(t) + ")";
        }
    }

    /** The libraries vigil links, as "major.minor.micro"; one that fails to load is left out. */
    static SequencedMap<String, String> ffmpegLibraries() {
        SequencedMap<String, String> versions = new LinkedHashMap<>();
        addVersion(versions, "avutil", () -> avutil_version());
        addVersion(versions, "avcodec", () -> avcodec_version());
        addVersion(versions, "avformat", () -> avformat_version());
        addVersion(versions, "swscale", () -> swscale_version());
        addVersion(versions, "swresample", () -> swresample_version());
        return versions;
    }

    private static void addVersion(SequencedMap<String, String> versions, String library, IntSupplier version) {
        try {
            int v = version.getAsInt(); // AV_VERSION_INT: major << 16 | minor << 8 | micro
            versions.put(library, (v >>> 16) + "." + (v >>> 8 & 0xff) + "." + (v & 0xff));
        } catch (Throwable t) {
            // Left out: the FFmpeg line already says when FFmpeg itself did not load.
        }
    }

    /** The hardware device types compiled into this FFmpeg, in FFmpeg's order. */
    static List<String> hwaccels() {
        List<String> names = new ArrayList<>();
        try {
            for (int type = av_hwdevice_iterate_types(AV_HWDEVICE_TYPE_NONE); type != AV_HWDEVICE_TYPE_NONE;
                 type = av_hwdevice_iterate_types(type)) {
                BytePointer name = av_hwdevice_get_type_name(type);
                names.add(name == null ? "type " + type : name.getString());
            }
        } catch (Throwable t) {
            // FFmpeg did not load: no hwaccels, and the FFmpeg line says why.
        }
        return names;
    }

    static Device cpu() {
        try {
            return Device.cpu();
        } catch (Throwable t) {
            return new Device(Device.Kind.CPU, 0, "unknown CPU", 0, "", 0);
        }
    }

    /** The driver and its GPUs, from a driver that {@code loader} binds (the real one outside tests). Never throws. */
    static HostReport.CudaStatus cuda(Supplier<Optional<CudaDriver>> loader) {
        Optional<CudaDriver> loaded;
        try {
            loaded = loader.get();
        } catch (Throwable t) {
            return HostReport.CudaStatus.none(false, "",
                    "the NVIDIA driver library could not be used (" + sentence(t) + ")");
        }
        if (loaded.isEmpty()) {
            return HostReport.CudaStatus.none(false, "", NO_DRIVER);
        }
        CudaDriver driver = loaded.get();
        String version = "";
        try {
            version = CudaDriver.formatVersion(driver.driverVersion());
        } catch (Throwable t) {
            // The version is a nicety; cuInit below says whether the driver works.
        }
        try {
            driver.init();
        } catch (Throwable t) {
            return HostReport.CudaStatus.none(true, version, "NVIDIA driver found but " + failure("cuInit", t));
        }
        try {
            List<Device> gpus = driver.devices();
            return gpus.isEmpty()
                    ? HostReport.CudaStatus.none(true, version, "NVIDIA driver found but it reports no GPU")
                    : new HostReport.CudaStatus(true, version, gpus, "");
        } catch (Throwable t) {
            return HostReport.CudaStatus.none(true, version,
                    "NVIDIA driver found but " + failure("listing its GPUs", t));
        }
    }

    /** "cuInit failed: CUDA_ERROR_NO_DEVICE (100)", without the driver's longer text, to keep it one sentence. */
    private static String failure(String step, Throwable t) {
        if (t instanceof CudaException e && e.code() != CudaException.NOT_A_CUDA_RESULT) {
            return e.call() + " failed: " + e.errorName() + " (" + e.code() + ")";
        }
        return step + " failed (" + sentence(t) + ")";
    }

    /** A throwable as a phrase for one line: its message's first line, or its simple class name when it has none. */
    private static String sentence(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String first = message.strip().lines().findFirst().orElse("");
        return first.endsWith(".") ? first.substring(0, first.length() - 1) : first;
    }
}
