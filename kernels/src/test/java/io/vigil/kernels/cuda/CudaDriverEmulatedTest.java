package io.vigil.kernels.cuda;

import io.vigil.ffi.cuda.CudaDriver;

/** The driver-binding contract on the stand-in driver. */
class CudaDriverEmulatedTest extends CudaDriverContract {
    @Override
    protected CudaDriver driver() {
        return FakeCuda.driver();
    }
}
