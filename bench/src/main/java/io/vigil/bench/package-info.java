/** JMH benchmarks of vigil's statistics; the end-to-end comparison with ffmpeg lives in {@code bench/run-e2e.sh}. */
package io.vigil.bench;
