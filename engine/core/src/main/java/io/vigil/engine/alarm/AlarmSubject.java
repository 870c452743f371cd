package io.vigil.engine.alarm;

import java.util.Map;

/** What a detector tells about its alarm when it fires or resolves. */
public interface AlarmSubject {
    /** One line for people, e.g. "picture black for 2.0 s". */
    String summary(double heldSeconds);

    /** The detector's own figures for the alarm. */
    void metrics(Map<String, Double> out);
}
