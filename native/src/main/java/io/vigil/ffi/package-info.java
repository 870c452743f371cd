/**
 * The native edge of vigil: FFmpeg demuxing and decoding over the bytedeco bindings, zero-copy views of decoded
 * frames and audio, and the probe that says what this host can do (FFmpeg build, CUDA driver, GPUs).
 *
 * <p>Everything native has one owner that is {@link java.lang.AutoCloseable}; nothing here relies on finalizers.
 */
package io.vigil.ffi;
