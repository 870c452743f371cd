/**
 * The CUDA statistics provider: kernels (kernels/src/main/cuda, built into the PTX on the classpath) that compute
 * for a whole batch of NVDEC frames, in one launch, exactly the integers the CPU classes in io.vigil.kernels compute;
 * the driver-API plumbing that feeds them descriptors and brings back one result record per frame
 * ({@link io.vigil.kernels.cuda.CudaStats}, {@link io.vigil.kernels.cuda.FrameResult}); the batcher that gathers
 * frames from every stream ({@link io.vigil.kernels.cuda.StatsBatcher}); each stream's mapping of its request onto
 * them; and thumbnails made small on the device.
 */
package io.vigil.kernels.cuda;
