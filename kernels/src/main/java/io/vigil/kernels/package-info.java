/**
 * Per-frame statistics: the only view of a picture or a block of audio that detectors get. One class per
 * statistic, each computed in place on the memory that holds the frame with no copy and no allocation per frame;
 * the CPU code here is the reference that a GPU twin of each statistic is tested against.
 */
package io.vigil.kernels;
