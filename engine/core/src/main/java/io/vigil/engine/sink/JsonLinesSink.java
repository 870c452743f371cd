package io.vigil.engine.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import java.io.PrintStream;

/** One JSON object per line, flushed per event so that a reader sees each alarm as it happens. */
public final class JsonLinesSink implements EventSink {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;

    public JsonLinesSink(PrintStream out) {
        this.out = out;
    }

    public static String toJson(Event event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + event, e);
        }
    }

    @Override
    public synchronized void accept(Event event) {
        out.println(toJson(event));
        out.flush();
    }
}
