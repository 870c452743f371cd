/**
 * The CPU statistics providers: the Java reference loops and libvigilpixels' C passes, one
 * {@link io.vigil.kernels.cpu.CpuStatisticsEngine} each, computing every stream's statistics in place on frames in
 * host memory ({@link io.vigil.kernels.cpu.VideoStatistics}).
 */
package io.vigil.kernels.cpu;
