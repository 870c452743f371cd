/**
 * The GPU twin of the per-frame video statistics: CUDA kernels (kernels/src/main/cuda, built into the PTX on the
 * classpath) that compute for a whole batch of NVDEC frames, in one launch, exactly the integers that
 * {@code io.vigil.kernels.LumaStats} and {@code FrameDifference} compute on the CPU, and the driver-API plumbing that
 * feeds them descriptors and brings back a few dozen bytes per frame.
 */
package io.vigil.kernels.cuda;
