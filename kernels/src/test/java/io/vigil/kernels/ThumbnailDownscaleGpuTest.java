package io.vigil.kernels;

import io.vigil.ffi.cuda.CudaDriver;

/** The thumbnail contract on a real GPU (device 0); skips without one. */
class ThumbnailDownscaleGpuTest extends ThumbnailDownscaleContract {
    @Override
    CudaDriver driver() {
        return GpuAvailability.driverOrSkip();
    }
}
