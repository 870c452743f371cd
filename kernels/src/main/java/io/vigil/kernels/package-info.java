/**
 * Per-frame statistics: the only view of a picture or a block of audio that detectors get. One class per
 * statistic, each computed in place on the memory that holds the frame with no copy and no allocation per frame;
 * its Java loops are the reference that libvigilpixels' C passes ({@link io.vigil.kernels.Loops}) and the CUDA twin
 * of each statistic are tested against. Which of them runs is a statistics provider's choice
 * (io.vigil.kernels.engine).
 */
package io.vigil.kernels;
