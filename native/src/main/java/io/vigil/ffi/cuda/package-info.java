/**
 * The NVIDIA driver API (libcuda.so.1, bound with Panama, every call checked) and the small owners of what it
 * allocates: a {@link io.vigil.ffi.cuda.CudaContext} on a device's primary context, and the modules, streams,
 * events, device and pinned buffers it makes, each freed exactly once and all of them closed with their context.
 */
package io.vigil.ffi.cuda;
