package io.vigil.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** av_drift's measurement on made-up timelines: 25 fps pictures and 24 ms audio blocks, interleaved as a muxer does. */
class AvAlignmentTest {
    static final double FRAME = 0.04;
    static final double BLOCK = 0.024;

    /** Feeds the two timelines interleaved by time; returns the offset at each picture (NaN: not judged). */
    static final class Feed {
        final AvAlignment alignment = new AvAlignment();
        double video;
        double audio;
        /** Added to the audio's timestamps (its samples stay continuous). */
        double audioStamp;
        double skipped;
        final List<Double> offsets = new ArrayList<>();

        Feed(double video, double audio) {
            this.video = video;
            this.audio = audio;
            alignment.inputStarted();
        }

        /** Plays {@code seconds} of both; {@code withAudio} false: the pictures only (an audio outage). */
        Feed play(double seconds, boolean withAudio) {
            double until = video + seconds;
            while (video < until) {
                if (withAudio && audio <= video) {
                    alignment.onAudio(audio + audioStamp, audio + audioStamp + BLOCK);
                    audio += BLOCK;
                } else {
                    offsets.add(alignment.onVideo(video, FRAME, skipped));
                    skipped = 0;
                    video += FRAME;
                }
            }
            if (!withAudio) {
                audio = video;
            }
            return this;
        }

        double last() {
            return offsets.getLast();
        }
    }

    @Test
    void audioLateAtAProgrammeStartIsAnOffset() {
        assertThat(new Feed(0, 0.3).play(2, true).last()).isCloseTo(0.3, offset(0.01));
    }

    @Test
    void audioLateAtAJoinIsWhereTheSourceWas() {
        Feed join = new Feed(0, 0.3);
        join.skipped = 0.8;
        assertThat(join.play(2, true).last()).isCloseTo(0, offset(0.001));
    }

    @Test
    void audioAheadOfTheFirstPictureIsNotJudged() {
        Feed cut = new Feed(0.9, 0);
        cut.alignment.onAudio(0, BLOCK);
        assertThat(cut.play(3, true).offsets).allSatisfy(o -> assertThat(o).isCloseTo(0, offset(BLOCK)));
    }

    @Test
    void bothTimelinesStartingAgainAreAlignedAfresh() {
        Feed restart = new Feed(0, 0).play(3, true);
        // the old run's last 0.3 s of sound was lost; both start again at 1.4
        restart.audio -= 0.3;
        double back = restart.video - 1.4;
        restart.video -= back;
        restart.audio -= back - 0.3;
        restart.play(4, true);
        assertThat(restart.offsets.subList(restart.offsets.size() - 50, restart.offsets.size()))
                .allSatisfy(o -> assertThat(o).isCloseTo(0, offset(BLOCK)));
    }

    @Test
    void audioStampsSteppingBackAloneAreAnOffsetFromTheStep() {
        Feed step = new Feed(0, 0).play(3, true);
        step.audioStamp = -0.6;
        step.play(0.5, true);
        assertThat(step.last()).as("waiting for the pair").isNaN();
        step.play(2, true);
        assertThat(step.last()).isCloseTo(-0.6, offset(0.03));
        // judged from the step on (the detector reads it at each picture: once)
        assertThat(step.alignment.judgedSinceSeconds()).isCloseTo(3.0, offset(FRAME));
        assertThat(step.alignment.judgedSinceSeconds()).isNaN();
    }

    @Test
    void anAudioOutageIsNotJudgedAndLeavesNoOffset() {
        Feed outage = new Feed(0, 0).play(2, true).play(3, false);
        assertThat(outage.alignment.audioStopped()).isTrue();
        assertThat(outage.last()).isNaN();
        assertThat(outage.play(2, true).last()).isCloseTo(0, offset(BLOCK));
    }

    @Test
    void audioThatEndsAsFarAheadAsItBeganWasShiftedNotCut() {
        Feed early = new Feed(0.3, 0).play(4, true);
        // the sound ends 0.3 s before the pictures
        early.play(0.3, false);
        assertThat(early.alignment.shiftedFromTheStart(0.1)).isCloseTo(-0.3, offset(0.03));
        Feed cut = new Feed(0.3, 0).play(4, true);
        assertThat(cut.alignment.shiftedFromTheStart(0.1)).isNaN();
    }
}
