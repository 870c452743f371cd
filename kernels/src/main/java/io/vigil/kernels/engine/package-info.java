/**
 * The statistics engine API: typed, immutable requests ({@link io.vigil.kernels.engine.StatisticSpec},
 * {@link io.vigil.kernels.engine.StatisticsRequest}), the per-stream view that fills a frame's figures
 * ({@link io.vigil.kernels.engine.FrameStatistics}), the {@link io.vigil.kernels.engine.StatisticsEngine} that opens
 * it, and the providers found at run time with their rank and the reason one cannot run, chosen by
 * {@link io.vigil.kernels.engine.Engines#select}.
 */
package io.vigil.kernels.engine;
