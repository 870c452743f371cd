package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a stream's content makes fail never ends its analysis silently: a picture 70,000 pixels wide (more than the
 * letterbox statistic measures) switches letterbox off with one warning while black still fires; a sink that throws
 * is a failed analysis (an error object, outcome FAILED), never a silent end; a malformed URL is one sentence.
 */
class ContentFaultTest {
    @TempDir
    static Path dir;
    static Path wide;

    @BeforeAll
    static void makeClip() throws Exception {
        wide = dir.resolve("wide.mkv");
        // Black throughout, 4 s at 10 fps, with a tone: FFV1 codes it in a second.
        Ffmpeg.run(List.of("-f", "lavfi", "-i", "color=c=black:s=70000x16:r=10:d=4,format=yuv420p",
                "-f", "lavfi", "-i", "sine=f=440:r=48000:d=4", "-c:v", "ffv1", "-c:a", "pcm_s16le",
                wide.toString()));
    }

    @Test
    void aPictureTooWideForLetterboxSwitchesOnlyLetterboxOff() {
        List<Event> events = new ArrayList<>();
        Analysis.Outcome outcome = Analysis.run(wide.toString(), "wide", VigilConfig.defaults(), events::add, null,
                note -> { });

        assertThat(outcome).isEqualTo(Analysis.Outcome.COMPLETE);
        List<Event.Warning> warnings = events.stream().filter(e -> e instanceof Event.Warning)
                .map(e -> (Event.Warning) e).toList();
        assertThat(warnings).hasSize(1);
        Event.Warning w = warnings.getFirst();
        assertThat(w.detector()).isEqualTo("letterbox");
        assertThat(w.stream()).isEqualTo("wide");
        assertThat(w.input()).isEqualTo(wide.toString());
        assertThat(w.message()).contains("letterbox statistic", "picture too large for letterbox: 70000x16",
                "the letterbox detector is off");
        assertThat(events).anyMatch(e -> e instanceof Event.Alarm a && a.detector().equals("black") && a.firing());
        assertThat(events).anyMatch(e -> e instanceof Event.Alarm a && a.detector().equals("black") && !a.firing());
        Event.Summary summary = (Event.Summary) events.getLast();
        assertThat(summary.frames()).isEqualTo(40);
        assertThat(summary.alarms()).containsEntry("black", 1);
    }

    @Test
    void aSinkThatThrowsFailsTheAnalysisWithAnErrorObject() {
        List<Event> events = new ArrayList<>();
        boolean[] thrown = new boolean[1];
        Analysis.Outcome outcome = Analysis.run(wide.toString(), "wide", VigilConfig.defaults(), e -> {
            if (e instanceof Event.Alarm a && a.firing() && !thrown[0]) {
                thrown[0] = true;
                throw new IllegalStateException("the disk is full");
            }
            events.add(e);
        }, null, note -> { });

        assertThat(outcome).isEqualTo(Analysis.Outcome.FAILED);
        assertThat(outcome.exitCode()).isEqualTo(5);
        Event.Error error = (Event.Error) events.getLast();
        assertThat(error.stage()).isEqualTo("analysis");
        assertThat(error.message()).contains("the disk is full").contains("please report it");
        // Not taken for the detector's fault: black was not switched off.
        assertThat(events).noneMatch(e -> e instanceof Event.Warning w && w.detector().equals("black"));
        assertThat(events).noneMatch(e -> e instanceof Event.Summary);
    }

    @Test
    void malformedUrlsAreOneSentence() {
        for (String bad : List.of("file:///srv/a b", "file:///srv/%zz")) {
            List<Event> events = new ArrayList<>();
            assertThat(Analysis.run(bad, "bad", VigilConfig.defaults(), events::add, null, note -> { }))
                    .isEqualTo(Analysis.Outcome.OPEN_FAILED);
            Event.Error error = (Event.Error) events.getFirst();
            assertThat(error.stage()).isEqualTo("open");
            assertThat(error.message()).startsWith("'" + bad + "' is not a valid").endsWith(".").doesNotContain("\n")
                    .doesNotContain("Exception");
        }
    }
}
