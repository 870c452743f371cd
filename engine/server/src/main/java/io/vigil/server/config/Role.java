package io.vigil.server.config;

import io.vigil.engine.config.VigilConfig;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.engine.detect.spec.StatisticRead;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.SequencedMap;

/**
 * Which detectors a fleet node runs (config {@code cluster.role}): copies of vigil each run a subset, so a GPU node can
 * watch a stream's picture while a CPU node listens to its sound. Which role a detector belongs to follows from the
 * statistics its spec reads, so a new detector needs no entry here.
 */
public enum Role {
    /** Every detector the stream's settings enable. */
    ALL,
    /**
     * Detectors that read the picture or video timestamps: black, freeze, blockiness, ..., plus the stream-level
     * ones (stall, discontinuity, av_drift).
     */
    VIDEO,
    /** Detectors that read only the sound (silence, clipping, loudness, phase, ...), plus stall. */
    AUDIO;

    /** The config spelling: {@code all}, {@code video}, {@code audio}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role spelled {@code name}; null when there is none. */
    public static Role parse(String name) {
        for (Role r : values()) {
            if (r.wireName().equals(name)) {
                return r;
            }
        }
        return null;
    }

    /** Whether a node of this role runs {@code spec}. */
    public boolean runs(DetectorSpec spec) {
        if (this == ALL) {
            return true;
        }
        if (spec.name().equals("stall")) {
            // Every node must say when it is blind: a source down stops its own detectors too.
            return true;
        }
        if (spec.factory() == null) {
            // A combination of two detectors (signal_loss: black and silence) needs both on one node.
            return false;
        }
        boolean video = spec.reads().stream().map(StatisticRead::statistic)
                .anyMatch(s -> s.fromPixels() || s == Statistic.VIDEO_TIMESTAMPS);
        return this == VIDEO ? video : !video;
    }

    /** {@code config} with the detectors this role does not run turned off. */
    public VigilConfig restrict(VigilConfig config) {
        if (this == ALL) {
            return config;
        }
        DetectorRegistry registry = DetectorRegistry.standard();
        SequencedMap<String, DetectorSettings> detectors = new LinkedHashMap<>(config.detectors());
        detectors.replaceAll((name, s) -> runs(registry.spec(name)) ? s : s.withEnabled(false));
        return config.withDetectors(detectors);
    }
}
