package io.vigil.kernels.cuda;

import io.vigil.ffi.cuda.CudaDriver;
import io.vigil.kernels.GpuAvailability;

/** The driver-binding contract on a real GPU (device 0); skipped without one unless -Dvigil.gpu=required. */
class CudaDriverGpuTest extends CudaDriverContract {
    @Override
    protected CudaDriver driver() {
        return GpuAvailability.driverOrSkip();
    }
}
