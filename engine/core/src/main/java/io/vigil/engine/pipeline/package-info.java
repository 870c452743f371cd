/**
 * One stream's pipeline, the engine's only way to media: opens an input, decodes it on its thread and hands the
 * frames to an analysing thread (statistics, detectors, alarms), reopens a live input and keeps one timeline across
 * reopenings, and sums the stream up ({@link io.vigil.engine.pipeline.StreamSession}).
 */
package io.vigil.engine.pipeline;
