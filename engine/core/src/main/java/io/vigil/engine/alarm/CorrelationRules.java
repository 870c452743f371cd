package io.vigil.engine.alarm;

import java.util.List;
import java.util.Map;

/**
 * Which of a stream's alarms explain each other (made from the detector specs, see
 * {@code DetectorRegistry.correlationRules}): set on a tracker before its alarms register.
 *
 * @param explainedBy per detector, the detectors whose condition explains its alarm, first match first (freeze: black,
 *        colorbars): while one holds, the alarm is suppressed and names it as its cause
 * @param combined alarms raised instead of two others that hold together (signal_loss for black and silence)
 */
public record CorrelationRules(Map<String, List<String>> explainedBy, List<Combined> combined) {
    /** No correlation: every alarm goes alone. */
    public static final CorrelationRules NONE = new CorrelationRules(Map.of(), List.of());

    public CorrelationRules {
        explainedBy = Map.copyOf(explainedBy);
        combined = List.copyOf(combined);
    }

    /**
     * {@code detector} is raised when {@code first} and {@code second} hold together, instead of them.
     *
     * @param summary what the combined alarm means ("picture black and audio silent"); its summary adds how long
     */
    public record Combined(String detector, String first, String second, Severity severity, String summary) {
    }
}
