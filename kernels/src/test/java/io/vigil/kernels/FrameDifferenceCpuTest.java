package io.vigil.kernels;

/** The FrameDifference contract on the CPU reference classes. */
class FrameDifferenceCpuTest extends FrameDifferenceContract {
    FrameDifferenceCpuTest() {
        super(CpuBackend::new);
    }
}
