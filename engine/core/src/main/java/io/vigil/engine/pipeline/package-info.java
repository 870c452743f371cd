/**
 * One stream's pipeline, and the engine's only way to media: a {@link io.vigil.engine.pipeline.StreamSession} opens
 * an input, decodes it and hands the frames to an analysing thread (statistics, detectors, alarms), reopens a live
 * input on one timeline and sums the stream up; beside it, where an input lives ({@code InputAddress}), what the
 * host offers decoding ({@code DecodingHost}) and clips made here for the demo ({@code SyntheticClip}).
 */
package io.vigil.engine.pipeline;
