package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The "must stay quiet" set: clean programme, delivered at -23 LUFS, on which no detector that is on by default may
 * raise anything: real music (the three asc-music tracks: dynamics from pianissimo to tutti, hot lossy masters,
 * peaks near full scale in the original), speech with pauses (espeak-ng, a newsreader's pauses), speech in its
 * original level, and music-like content that ffmpeg makes alone. The golden clips are GoldenOutputTest's.
 */
class QuietOnNaturalAudioTest {
    @TempDir
    static Path dir;

    static List<Event.Alarm> alarms(Path clip) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "q", VigilConfig.defaults(), events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        return events.stream().filter(e -> e instanceof Event.Alarm).map(e -> (Event.Alarm) e).toList();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void realMusicAtTheTarget(int track) throws Exception {
        // two minutes from the start: each track's quiet opening included
        assertThat(alarms(NaturalAudio.music(dir, "music" + track, track, 0, 120, null))).isEmpty();
    }

    @Test
    void speechWithPauses() throws Exception {
        assertThat(alarms(NaturalAudio.speech(dir, "speech", 60, null))).isEmpty();
    }

    @Test
    void musicLikeContent() throws Exception {
        assertThat(alarms(NaturalAudio.musicLike(dir, "musiclike", 60, null))).isEmpty();
    }
}
