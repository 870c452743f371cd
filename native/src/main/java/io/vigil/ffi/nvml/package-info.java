/**
 * The GPU's own telemetry through NVML (libnvidia-ml.so.1, bound with Panama): per GPU the decoder (NVDEC), encoder,
 * SM and memory utilisation, memory, temperature, power, clock throttle reasons and ECC errors. {@link
 * io.vigil.ffi.nvml.Nvml} owns the library's initialisation and never throws when NVML is absent: it says why in one
 * line.
 *
 * <p>Why Panama and not the CUDA presets' {@code org.bytedeco.cuda.global.nvml}: the preset's JNI library
 * (libjninvml.so) links only libnvidia-ml.so.1, but loading it initialises the presets it inherits first
 * ({@code @Properties(inherit = cudart.class)}), and libjnicudart.so needs libcudart.so.13 (the CUDA runtime, from a
 * toolkit or the presets' redistributable jars) besides the driver's libcuda.so.1. A GPU host with only the driver
 * has no libcudart, and the load fails ("no jnicudart in java.library.path"). The handful of NVML calls vigil makes
 * bind in a page of method handles, as {@link io.vigil.ffi.cuda.CudaDriver} binds the driver API, and need nothing but
 * what every NVIDIA driver installs.
 */
package io.vigil.ffi.nvml;
