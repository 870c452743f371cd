package io.vigil.engine.detect.spec;

import io.vigil.engine.alarm.AlarmTracker;
import java.util.function.Function;

/**
 * What a detector's factory is given for one stream: its own settings, the stream's alarm tracker, and the values of
 * the other detectors' parameters that its spec declares it {@link DetectorSpec#uses uses} (only those: a detector
 * that reads another's parameter says so where it is declared).
 */
public final class DetectorContext {
    private final DetectorSpec spec;
    private final DetectorSettings settings;
    private final AlarmTracker tracker;
    private final Function<ParamRef, Double> values;
    private final java.util.function.Predicate<String> enabled;

    DetectorContext(DetectorSpec spec, DetectorSettings settings, AlarmTracker tracker,
                    Function<ParamRef, Double> values, java.util.function.Predicate<String> enabled) {
        this.enabled = enabled;
        this.spec = spec;
        this.settings = settings;
        this.tracker = tracker;
        this.values = values;
    }

    public DetectorSettings settings() {
        return settings;
    }

    public AlarmTracker tracker() {
        return tracker;
    }

    /**
     * The value (a level's ratio) of {@code detector}'s parameter {@code parameter}, as configured for this stream,
     * or its default when that detector is not configured; it must be one the spec {@link DetectorSpec#uses uses}.
     */
    public double number(String detector, String parameter) {
        ParamRef ref = ParamRef.of(detector, parameter);
        if (!spec.uses().contains(ref)) {
            throw new IllegalStateException(spec.name() + " reads " + ref + " without declaring it in its spec's uses");
        }
        return values.apply(ref);
    }

    /**
     * Whether {@code detector} runs on this stream too (colorbars leaves slates to the {@code slate} detector's
     * library when that runs).
     */
    public boolean runs(String detector) {
        return enabled.test(detector);
    }
}
