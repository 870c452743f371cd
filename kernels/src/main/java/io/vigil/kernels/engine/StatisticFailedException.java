package io.vigil.kernels.engine;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Some statistics could not be computed on a frame (a picture larger than a statistic measures, say). Thrown by
 * {@link FrameStatistics#compute} after it filled every other statistic for the frame; the ones named here are no
 * longer computed for the stream, so the caller sees this once per statistic and decides what goes on without them.
 */
public final class StatisticFailedException extends RuntimeException {
    /** One statistic that failed, and what it threw. */
    public record Failure(StatisticSpec statistic, RuntimeException cause) {
    }

    private final transient List<Failure> failures;

    public StatisticFailedException(List<Failure> failures) {
        super(failures.stream().map(f -> f.statistic().getClass().getSimpleName() + ": " + f.cause().getMessage())
                .collect(Collectors.joining("; ")), failures.getFirst().cause());
        this.failures = List.copyOf(failures);
    }

    /** The statistics that failed on this frame, in the order they are computed. */
    public List<Failure> failures() {
        return failures;
    }
}
