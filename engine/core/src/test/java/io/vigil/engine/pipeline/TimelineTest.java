package io.vigil.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** A reopened source goes on where the wall clock says, never before what was seen; a first one keeps its time. */
class TimelineTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void aFirstInputKeepsItsOwnTimestamps() {
        Timeline t = new Timeline();
        assertThat(t.inputStarted(7.0, 0)).isZero();
        t.reached(8.0, SECOND);
        assertThat(t.endSeconds()).isEqualTo(8.0);
    }

    @Test
    void aSourceDownForTenSecondsResumesTenSecondsLater() {
        Timeline t = new Timeline();
        t.inputStarted(0, 0);
        // Real time: 4 s of media in 4 s.
        for (int s = 1; s <= 4; s++) {
            t.reached(s, s * SECOND);
        }
        // Down from 4 s to 14 s on the wall clock; the new session's timestamps start at 100 s.
        double offset = t.inputStarted(100, 14 * SECOND);
        assertThat(100 + offset).isCloseTo(14, within(1e-9));
        t.reached(101, 15 * SECOND);
        assertThat(t.endSeconds()).isCloseTo(15, within(1e-9));
    }

    @Test
    void aSourceThatRanAheadOfTheWallClockIsNeverPlacedBeforeWhatWasSeen() {
        Timeline t = new Timeline();
        t.inputStarted(0, 0);
        // A file: 10 s of media read in 1 s.
        t.reached(10, SECOND);
        double offset = t.inputStarted(0, SECOND + SECOND / 10);
        assertThat(offset).isGreaterThanOrEqualTo(10);
    }
}
