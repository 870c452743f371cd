/**
 * The native edge of vigil: FFmpeg demuxing and decoding over the bytedeco bindings (into host memory or, with
 * NVDEC, a CUDA device's: a {@link io.vigil.ffi.DecodeTarget}), zero-copy views of decoded frames and audio, the
 * loader of libvigilpixels (the statistics' C passes), and the probe that says what this host can do (FFmpeg build,
 * CUDA driver, GPUs).
 *
 * <p>Everything native has one owner that is {@link java.lang.AutoCloseable}; nothing here relies on finalizers,
 * and memory read by address is read through views bounded to what the reader needs.
 */
package io.vigil.ffi;
