package io.vigil.engine.detect;

import io.vigil.engine.alarm.Alarm;
import io.vigil.engine.alarm.AlarmSubject;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.detect.spec.Detector;
import io.vigil.engine.detect.spec.DetectorSettings;

/** A detector with one alarm per stream, timed and graded by its settings. */
abstract class AlarmingDetector implements Detector, AlarmSubject {
    private final String name;
    protected final Alarm alarm;

    AlarmingDetector(String name, DetectorSettings settings, AlarmTracker tracker) {
        this.name = name;
        this.alarm = tracker.register(name, null, settings.severity(), settings.durationSeconds(),
                settings.clearDelaySeconds(), this);
    }

    @Override
    public final String name() {
        return name;
    }
}
