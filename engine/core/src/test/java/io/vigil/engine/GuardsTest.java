package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.config.VigilConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The false alarms users of FFmpeg's filters complain about, and that vigil must not raise. */
class GuardsTest {
    @TempDir
    static Path dir;
    static Path shortFade;
    static Path darkScene;
    static Path quietPassage;
    static Path stillWithSound;
    static Path noisyBlack;

    static final String TONE = "sine=f=440:r=48000:d=8";

    @BeforeAll
    static void makeClips() throws Exception {
        shortFade = dir.resolve("fade.mkv");
        darkScene = dir.resolve("dark.mkv");
        quietPassage = dir.resolve("quiet.mkv");
        stillWithSound = dir.resolve("still.mkv");
        noisyBlack = dir.resolve("noisy-black.mkv");
        String x264 = "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a pcm_s16le";
        CompletableFuture.allOf(
                // A dip through black: fading out over 0.5 s from 2.0 s, 1.5 s of black, back from 4.5 s: shorter than
                // the 2 s raise delay. (fade's timeline: the out-fade only before 3 s, the in-fade from 4 s.)
                make(shortFade, "testsrc2=s=320x240:r=25:d=8,fade=t=out:st=2:d=0.5:enable='lt(t,3)',"
                        + "drawbox=enable='gte(t,2.5)*lt(t,4)':color=black:t=fill,fade=t=in:st=4:d=0.5:enable='gte(t,4)'",
                        TONE, x264),
                // A dark scene with detail in it: a quarter of the light, never 98% below the black level.
                make(darkScene, "testsrc2=s=320x240:r=25:d=8,lutyuv=y=val*0.3", TONE, x264),
                // A quiet passage: noise at about -50 dBFS from 2 s to 6 s, not silence.
                make(quietPassage, "testsrc2=s=320x240:r=25:d=8",
                        "aevalsrc='if(between(t,2,6),0.003*(random(0)*2-1),0.3*sin(2*PI*440*t))':s=48000:d=8", x264),
                // A still picture (a slate) under continuing sound, from 1 s to the end.
                make(stillWithSound, "testsrc2=s=320x240:r=25:d=8,split[a][b];[a][b]freezeframes=first=25:last=199:replace=25",
                        TONE, x264),
                // Black with grain (an analogue source's black) from 2 s to 6 s: still black.
                make(noisyBlack, "testsrc2=s=320x240:r=25:d=8,drawbox=enable='gte(t,2)*lt(t,6)':color=black:t=fill,"
                        + "noise=alls=12:allf=t", TONE, x264)).join();
    }

    static CompletableFuture<Void> make(Path out, String video, String audio, String codecs) {
        return CompletableFuture.runAsync(() -> {
            List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio));
            args.addAll(List.of(codecs.split(" ")));
            args.add(out.toString());
            try {
                Ffmpeg.run(args);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static List<Event.Alarm> fired(Path clip, VigilConfig config) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "g", config, events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        return events.stream().filter(e -> e instanceof Event.Alarm a && a.firing()).map(e -> (Event.Alarm) e).toList();
    }

    @Test
    void aFadeThroughBlackShorterThanTheRaiseDelayIsQuiet() {
        assertThat(fired(shortFade, VigilConfig.defaults())).isEmpty();
    }

    @Test
    void aDarkSceneIsNotBlack() {
        assertThat(fired(darkScene, VigilConfig.defaults())).isEmpty();
    }

    @Test
    void aQuietPassageIsNotSilence() {
        assertThat(fired(quietPassage, VigilConfig.defaults())).isEmpty();
    }

    @Test
    void aStillPictureWithSoundIsAFreezeUnlessConfiguredOtherwise() {
        assertThat(fired(stillWithSound, VigilConfig.defaults())).extracting(Event.Alarm::detector)
                .containsExactly("freeze");
        SequencedMap<String, DetectorSettings> d = new LinkedHashMap<>(VigilConfig.defaults().detectors());
        d.put("freeze", d.get("freeze").with("ignoreWithSound", true));
        assertThat(fired(stillWithSound, VigilConfig.defaults().withDetectors(d))).isEmpty();
    }

    @Test
    void blackWithGrainIsStillBlack() {
        List<Event.Alarm> alarms = fired(noisyBlack, VigilConfig.defaults());
        assertThat(alarms).extracting(Event.Alarm::detector).containsExactly("black");
        assertThat(alarms.getFirst().start()).isCloseTo(2.0, offset(0.04));
    }
}
