/**
 * {@code vigil bench}'s machinery: a clip made once with ffmpeg, played as looping live channels over UDP on loopback
 * ({@code TsLoop}, {@code LiveSource}), each watched as the service watches a stream ({@code BenchStream}), and the
 * ramp that adds streams until the host no longer keeps up ({@link io.vigil.cli.bench.CapacityRamp}).
 */
package io.vigil.cli.bench;
