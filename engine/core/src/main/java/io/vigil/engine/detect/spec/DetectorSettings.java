package io.vigil.engine.detect.spec;

import io.vigil.engine.alarm.Severity;
import java.util.Map;

/**
 * The settings of one detector: whether it runs, its raise delay ({@code duration}, FFmpeg's {@code d}), its
 * clear delay, its severity, and its own parameters by name, as its {@link DetectorSpec} declares them (the config
 * loader checks each against its {@link ParamSpec} before it gets here).
 *
 * @param parameters the detector's parameters: numbers, flags, or levels as written ("-60dB", or a ratio)
 */
public record DetectorSettings(String detector, boolean enabled, double durationSeconds, double clearDelaySeconds,
                               Severity severity, Map<String, Object> parameters) {

    public DetectorSettings {
        parameters = Map.copyOf(parameters);
    }

    /** A numeric parameter. */
    public double number(String key) {
        Object v = parameter(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(detector + "." + key + " must be a number, got '" + v + "'");
    }

    /** A yes/no parameter. */
    public boolean flag(String key) {
        Object v = parameter(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(detector + "." + key + " must be true or false, got '" + v + "'");
    }

    /** A level given as a ratio (0.001) or in decibels ("-60dB"), as FFmpeg's detectors take it; returns the ratio. */
    public double amplitude(String key) {
        try {
            return ParamType.ratio(parameter(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(detector + "." + key + ": " + e.getMessage(), e);
        }
    }

    /** A {@link ParamType#FILES} parameter's paths, in order; none when it is empty. */
    public java.util.List<java.nio.file.Path> files(String key) {
        Object v = parameter(key);
        if (v instanceof String s) {
            return ParamType.paths(s);
        }
        throw new IllegalArgumentException(detector + "." + key + " must name files, got '" + v + "'");
    }

    private Object parameter(String key) {
        Object v = parameters.get(key);
        if (v == null) {
            throw new IllegalStateException("detector " + detector + " has no parameter " + key);
        }
        return v;
    }

    public DetectorSettings withEnabled(boolean on) {
        return new DetectorSettings(detector, on, durationSeconds, clearDelaySeconds, severity, parameters);
    }

    public DetectorSettings with(String key, Object value) {
        var p = new java.util.HashMap<>(parameters);
        p.put(key, value);
        return new DetectorSettings(detector, enabled, durationSeconds, clearDelaySeconds, severity, p);
    }

    public DetectorSettings withTiming(double duration, double clearDelay, Severity sev) {
        return new DetectorSettings(detector, enabled, duration, clearDelay, sev, parameters);
    }
}
