package io.vigil.engine.pipeline;

import java.util.Map;

/**
 * A stream's key figures at one moment, for a service's live charts (see {@link StreamSession.Builder#samples}).
 *
 * @param nanoTime       {@link System#nanoTime()} when it was taken
 * @param mediaSeconds   media time of the last frame analysed (of the last audio block, before any video frame)
 * @param framesAnalysed video frames analysed so far
 * @param figures        lumaMean, darkFraction, mafd, blockiness, rmsDbfs, momentaryLufs, shortTermLufs, and per
 *                       channel N the level meters' peakDbfs.N and levelDbfs.N since the sample before and the
 *                       channel's own momentary loudness momentaryLufs.N (400 ms, LUFS): those
 *                       measured (see {@link io.vigil.engine.pipeline.StreamAnalyzer#sample}); a fresh map, the listener's to
 *                       keep and add to
 */
public record Sample(long nanoTime, double mediaSeconds, long framesAnalysed, Map<String, Double> figures) {
}
