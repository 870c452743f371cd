package io.vigil.bench;

import io.vigil.engine.transport.SpliceInfo;
import io.vigil.engine.transport.TsAnalyzer;
import io.vigil.engine.transport.TsCheck;
import io.vigil.engine.transport.TsLimits;
import io.vigil.engine.transport.TsListener;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * TR 101 290 analysis of a 40 Mbit/s multiplex (MPEG-2 video at 30 Mbit/s, MP2 audio, a PAT and PMT every 100 ms,
 * PCR every 20 ms) as the input's reads hand it over, 32 KiB at a time. One operation is one second of the
 * multiplex: the score in µs/op is the share of one core that line rate costs (1,000,000 µs/op would be a whole
 * core), and 40 / (score / 1e6) its Mbit/s per core. Run with {@code bench/run-jmh.sh TsAnalyzerBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TsAnalyzerBenchmark {
    private static final int MUX_BITS_PER_SECOND = 40_000_000;
    private static final int READ_BYTES = 32 * 1024;

    private MemorySegment oneSecond;
    private TsAnalyzer analyzer;
    private Blackhole sink;

    @Setup
    public void setUp(Blackhole blackhole) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("vigil-ts-bench");
        Path clip = dir.resolve("mux40.ts");
        Process p = new ProcessBuilder(List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine", "-t", "3", "-c:v", "mpeg2video",
                "-b:v", "30M", "-maxrate", "30M", "-bufsize", "2M", "-c:a", "mp2", "-f", "mpegts", "-muxrate",
                Integer.toString(MUX_BITS_PER_SECOND), clip.toString())).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("ffmpeg could not make the multiplex");
        }
        byte[] all = Files.readAllBytes(clip);
        int second = MUX_BITS_PER_SECOND / 8 / 188 * 188;
        // The second second: steady state, past the first tables.
        oneSecond = MemorySegment.ofArray(all).asSlice(Math.min(second, all.length - second), second);
        sink = blackhole;
        analyzer = new TsAnalyzer(TsLimits.STANDARD, new TsListener() {
            @Override
            public void error(TsCheck check, int pid, double clockSeconds) {
                sink.consume(pid);
            }

            @Override
            public void splice(SpliceInfo cue, int pid, double clockSeconds) {
                sink.consume(cue);
            }
        });
        Files.delete(clip);
        Files.delete(dir);
    }

    /** One second of the multiplex, read by the input in 32 KiB chunks. */
    @Benchmark
    public long analyseOneSecond() {
        analyzer.reset();
        long size = oneSecond.byteSize();
        for (long at = 0; at < size; at += READ_BYTES) {
            analyzer.accept(at, oneSecond.asSlice(at, Math.min(READ_BYTES, size - at)));
        }
        return analyzer.packets();
    }
}
