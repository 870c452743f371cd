package io.vigil.server.http;

import io.vigil.engine.pipeline.GpuFigures;
import io.vigil.engine.pipeline.GpuTelemetry;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The GPUs' figures for {@code /metrics}, read from the telemetry at most once per interval however often it is
 * scraped (an NVML read takes milliseconds per GPU, and its utilisation figures are averages over NVML's own sampling
 * period anyway). Thread-safe.
 */
final class GpuSampler implements Supplier<List<GpuFigures>> {
    static final long INTERVAL_NANOS = 1_000_000_000L;

    private final GpuTelemetry telemetry;
    private final long intervalNanos;
    private final LongSupplier clock;
    private List<GpuFigures> last = List.of();
    private long readAtNanos;
    private boolean read;

    GpuSampler(GpuTelemetry telemetry) {
        this(telemetry, INTERVAL_NANOS, System::nanoTime);
    }

    GpuSampler(GpuTelemetry telemetry, long intervalNanos, LongSupplier clock) {
        this.telemetry = telemetry;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    @Override
    public synchronized List<GpuFigures> get() {
        long now = clock.getAsLong();
        if (!read || now - readAtNanos >= intervalNanos) {
            last = List.copyOf(telemetry.read());
            readAtNanos = now;
            read = true;
        }
        return last;
    }
}
