/**
 * {@code vigil analyze}'s unit of work: {@link io.vigil.engine.Analysis} runs one input to its end over a
 * {@link io.vigil.engine.pipeline.StreamSession} and says how it ended (the command's exit code).
 */
package io.vigil.engine;
