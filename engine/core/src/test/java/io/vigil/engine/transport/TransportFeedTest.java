package io.vigil.engine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The feed between the reading and the analysing thread: occurrences in order once mapped, and failures told. */
class TransportFeedTest {
    record Heard(TsCheck check, int pid, double mediaSeconds) {
    }

    static final class Recorder implements TransportFeed.Sink {
        final List<Heard> heard = new ArrayList<>();

        @Override
        public void error(TsCheck check, int pid, double mediaSeconds) {
            heard.add(new Heard(check, pid, mediaSeconds));
        }

        @Override
        public void splice(SpliceInfo cue, int pid, double mediaSeconds, double spliceSeconds) {
        }
    }

    @Test
    void occurrencesWaitForTheirInputsMappingThenComeOnTheMediaTimeline() {
        TransportFeed feed = new TransportFeed(TsLimits.STANDARD);
        Recorder sink = new Recorder();
        feed.inputOpened();
        feed.error(TsCheck.values()[0], 256, 100.5);
        feed.drain(sink);
        assertThat(sink.heard).as("not mapped yet").isEmpty();
        feed.mapped(100.0, 10.0);
        feed.drain(sink);
        assertThat(sink.heard).containsExactly(new Heard(TsCheck.values()[0], 256, 10.5));
    }

    /** An analyser that failed on the bytes makes the next drain throw: its detector is switched off and says so. */
    @Test
    void aFailedAnalyserIsToldToTheAnalysingSide() {
        TransportFeed feed = new TransportFeed(TsLimits.STANDARD);
        feed.failed(new ArrayIndexOutOfBoundsException("Index 188 out of bounds for length 188"));
        assertThatThrownBy(() -> feed.drain(new Recorder())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the transport stream analysis failed on this input's bytes")
                .hasMessageContaining("Index 188");
    }
}
