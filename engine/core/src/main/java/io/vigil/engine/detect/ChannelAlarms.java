package io.vigil.engine.detect;

import io.vigil.engine.alarm.Alarm;
import io.vigil.engine.alarm.AlarmSubject;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.detect.spec.DetectorSettings;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * One alarm per audio channel (events carry {@code "channel": N}), registered when a channel is first seen, since the
 * channel count is known only once audio arrives.
 */
final class ChannelAlarms {
    private final String name;
    private final DetectorSettings settings;
    private final AlarmTracker tracker;
    private final IntFunction<AlarmSubject> subjects;
    private Alarm[] alarms = new Alarm[0];
    private int channels;

    ChannelAlarms(String name, DetectorSettings settings, AlarmTracker tracker, IntFunction<AlarmSubject> subjects) {
        this.name = name;
        this.settings = settings;
        this.tracker = tracker;
        this.subjects = subjects;
    }

    /**
     * Makes the alarms of {@code count} channels ready; returns whether the channel count changed (alarms of channels
     * that went away are resolved at {@code atSeconds}).
     */
    boolean ensure(int count, double atSeconds) {
        if (count == channels) {
            return false;
        }
        for (int c = count; c < channels; c++) {
            alarms[c].finish(atSeconds);
        }
        if (count > alarms.length) {
            int had = alarms.length;
            alarms = Arrays.copyOf(alarms, count);
            for (int c = had; c < count; c++) {
                alarms[c] = tracker.register(name, c, settings.severity(), settings.durationSeconds(),
                        settings.clearDelaySeconds(), subjects.apply(c));
            }
        }
        channels = count;
        return true;
    }

    Alarm get(int channel) {
        return alarms[channel];
    }

    /** Channels seen in the last block. */
    int channels() {
        return channels;
    }

    /** The input ended at {@code atSeconds}. */
    void finish(double atSeconds) {
        for (Alarm a : alarms) {
            a.finish(atSeconds);
        }
    }
}
