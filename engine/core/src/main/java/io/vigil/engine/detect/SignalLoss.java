package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.Evidence;

/**
 * signal_loss: black and silence at once are one alarm, critical. Not a detector of its own: its spec declares the
 * two it combines, and the alarm tracker raises it from their alarms (their own delays apply); no parameters.
 */
public final class SignalLoss {
    public static final String NAME = "signal_loss";

    /** Black and silence raised together (severity critical), each with its own raise delay. */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 50)
                    .describe("picture black and audio silent", """
                            black and silence hold at once: raised instead of the two (see below)""")
                    .alarm(Severity.CRITICAL, 0.0, 0.0)
                    .raiseNote("those of black and silence")
                    .combines(BlackDetector.NAME, SilenceDetector.NAME)
                    .evidence(Evidence.sameAs(BlackDetector.NAME))
                    .build());
        }
    }

    private SignalLoss() {
    }
}
