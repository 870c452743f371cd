package io.vigil.kernels;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import io.vigil.ffi.cuda.CudaDriver;
import java.util.Optional;

/**
 * Whether the GPU tests can run here: an NVIDIA driver that initialises and reports a GPU. Without one they are
 * skipped, saying why; with {@code -Dvigil.gpu=required} (the GPU host's check sets it) a missing GPU fails them
 * instead, so that a GPU run cannot pass by skipping.
 */
public final class GpuAvailability {
    static final String PROPERTY = "vigil.gpu";

    private GpuAvailability() {
    }

    public static boolean required() {
        return "required".equals(System.getProperty(PROPERTY));
    }

    /** The host's driver, initialised, with at least one GPU; otherwise the test is skipped (or fails if required). */
    public static CudaDriver driverOrSkip() {
        String why;
        try {
            Optional<CudaDriver> driver = CudaDriver.load();
            if (driver.isEmpty()) {
                why = "no NVIDIA driver (" + CudaDriver.LIBRARY + " not found)";
            } else {
                driver.get().init();
                if (driver.get().deviceCount() > 0) {
                    return driver.get();
                }
                why = "the NVIDIA driver reports no GPU";
            }
        } catch (RuntimeException e) {
            why = "the NVIDIA driver does not work here: " + e.getMessage();
        }
        if (required()) {
            return fail("-D" + PROPERTY + "=required, but " + why);
        }
        return abort("GPU test skipped: " + why + " (-D" + PROPERTY + "=required makes this a failure)");
    }
}
