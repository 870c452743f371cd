package io.vigil.engine.alarm;

/**
 * An event sink threw while a stream's alarm was handed to it: a fault of the sink, not of the detector that raised
 * the alarm, so the analysis does not take it for the detector's (see the pipeline's StreamAnalyzer).
 */
public final class EventDeliveryException extends RuntimeException {
    public EventDeliveryException(RuntimeException cause) {
        super("an event sink failed: " + cause.getMessage(), cause);
    }
}
