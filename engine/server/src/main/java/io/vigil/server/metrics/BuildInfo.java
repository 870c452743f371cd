package io.vigil.server.metrics;

import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.vigil.server.VigilVersion;
import java.util.List;

/**
 * {@code vigil_build_info}: what this process is built from, as labels of a constant 1.
 *
 * @param version vigil's version (the pom's)
 * @param java the JVM's version
 * @param ffmpeg the FFmpeg vigil decodes with (the copy bundled in bytedeco's jar)
 * @param backend where video statistics run: cpu, gpu ("unknown" until the service says)
 */
public record BuildInfo(String version, String java, String ffmpeg, String backend) {
    /** This process's build, with {@code backend}. */
    public static BuildInfo of(String backend) {
        return new BuildInfo(VigilVersion.version(), Runtime.version().toString(), VigilVersion.bundledFfmpeg(),
                backend);
    }

    InfoSnapshot snapshot() {
        return new InfoSnapshot(new MetricMetadata("vigil_build", "vigil's version, the JVM's, the bundled FFmpeg's"
                + " and the statistics backend (always 1)."), List.of(new InfoSnapshot.InfoDataPointSnapshot(
                Labels.of("version", version, "java", java, "ffmpeg", ffmpeg, "backend", backend))));
    }
}
