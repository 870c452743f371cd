package io.vigil.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.config.ConfigLoader;
import io.vigil.engine.config.VigilConfig;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.picture.CardLibrary;
import io.vigil.kernels.picture.LogoMatcher;
import io.vigil.kernels.picture.PictureMatching;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * logo_missing and slate on clips made with ffmpeg over natural pictures (Debian's mate-backgrounds photographs,
 * panned): a translucent logo keyed on the programme that is taken off at a known time; cards (a 4:3 no-signal screen
 * pillarboxed and shrunk, a technical-difficulties card zoomed to crop its edges) cut into programme, all coded by
 * x264 at broadcast-like bit rates (500 kb/s to 1 Mb/s programme, 300 kb/s cards) at 640x360 or 960x540. The detectors fire where the defect begins and name the card; clean clips (the
 * logo on, no card, on every photograph) raise nothing: false matches are counted and must be 0. The scores behind
 * the default thresholds, and the cost of a check, are printed.
 */
class PictureMatchClipTest {
    @TempDir
    static Path dir;
    static Path logo;
    static List<Path> cards;

    @BeforeAll
    static void pictures() {
        PictureClips.assumePictures();
        logo = PictureClips.logo(dir);
        cards = PictureClips.cards(dir);
    }

    /** The logo, 70% opaque, at the top right of a 1280x720 picture, as the inserter keys it. */
    private static String keyLogo(String in, String out, String enable) {
        return "[1:v]format=rgba,colorchannelmixer=aa=0.7[l];[" + in + "][l]overlay=x=1010:y=30"
                + (enable.isEmpty() ? "" : ":enable='" + enable + "'") + "[" + out + "]";
    }

    private static List<String> x264(String bitrate) {
        return List.of("-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-b:v", bitrate, "-maxrate", bitrate,
                "-bufsize", bitrate, "-pix_fmt", "yuv420p");
    }

    /** {@code photo} panned for {@code seconds} with the logo on until {@code logoOffSeconds}, scaled to {@code width}. */
    static Path logoClip(String name, String photo, double seconds, double logoOffSeconds, int width) {
        Path clip = dir.resolve(name + ".mkv");
        List<String> args = new ArrayList<>(PictureClips.pannedPhoto(photo, seconds));
        args.addAll(List.of("-i", logo.toString(), "-filter_complex",
                PictureClips.pan("0:v", "p") + ";" + keyLogo("p", "k", logoOffSeconds < seconds
                        ? "lt(t," + logoOffSeconds + ")" : "") + ";[k]scale=" + width + ":-2[v]",
                "-map", "[v]"));
        args.addAll(x264(width > 640 ? "1M" : "500k"));
        args.add(clip.toString());
        PictureClips.ffmpeg(args);
        return clip;
    }

    /**
     * {@code photo} for 3 s, then card {@code card} for 4 s through {@code cardFilter} (into 1280x720), then the
     * photo again for 2 s, coded at 400 kb/s.
     */
    static Path cardClip(String name, String photo, int card, String cardFilter) {
        Path clip = dir.resolve(name + ".mkv");
        List<String> args = new ArrayList<>(PictureClips.pannedPhoto(photo, 3));
        args.addAll(List.of("-loop", "1", "-framerate", "25", "-t", "4", "-i", cards.get(card).toString()));
        args.addAll(PictureClips.pannedPhoto(photo, 2));
        args.addAll(List.of("-filter_complex", PictureClips.pan("0:v", "a") + ";[1:v]" + cardFilter
                + ",setsar=1,format=yuv420p[c];" + PictureClips.pan("2:v", "b")
                + ";[a][c][b]concat=n=3:v=1,scale=640:360[v]", "-map", "[v]"));
        args.addAll(x264("300k"));
        args.add(clip.toString());
        PictureClips.ffmpeg(args);
        return clip;
    }

    static final String PILLARBOXED_SMALLER = "scale=-2:620,pad=1280:720:(ow-iw)/2:(oh-ih)/2:black";
    static final String ZOOMED_CROPPED = "scale=1408:792,crop=1280:720:70:40";

    /** {@code yaml}'s settings for logo_missing and slate alone (their statistics are computed all the same). */
    static VigilConfig only(String yaml) {
        VigilConfig config = ConfigLoader.parse("test", yaml);
        java.util.SequencedMap<String, io.vigil.engine.detect.spec.DetectorSettings> mine =
                new java.util.LinkedHashMap<>();
        config.detectors().forEach((name, s) -> {
            if (name.equals("logo_missing") || name.equals("slate") || name.equals("freeze")) {
                mine.put(name, s);
            }
        });
        return config.withDetectors(mine);
    }

    private static VigilConfig logoConfig() {
        return only("""
                detectors:
                  logo_missing:
                    enabled: true
                    duration: 2
                    logo: %s
                    referenceWidth: 1280
                    regionX: 0.7
                    regionWidth: 0.3
                    regionHeight: 0.3
                """.formatted(logo));
    }

    private static VigilConfig slateConfig() {
        return only("""
                detectors:
                  slate:
                    enabled: true
                    cards: [%s]
                """.formatted(String.join(", ", cards.stream().map(Path::toString).toList())));
    }

    static List<Event.Alarm> resolved(Path clip, VigilConfig config, String detector) {
        List<Event> events = new ArrayList<>();
        assertThat(Analysis.run(clip.toString(), "v", config, events::add, null, n -> { }))
                .isEqualTo(Analysis.Outcome.COMPLETE);
        FfmpegOracleTest.assertFiringThenResolved(events);
        return events.stream().filter(e -> e instanceof Event.Alarm a && !a.firing() && a.detector().equals(detector))
                .map(e -> (Event.Alarm) e).toList();
    }

    @Test
    void logoTakenOffRaisesLogoMissingWhereItWent() {
        Path clip = logoClip("logo-off", "GreenMeadow.jpg", 9, 4, 960);
        List<Event.Alarm> alarms = resolved(clip, logoConfig(), "logo_missing");
        assertThat(alarms).singleElement().satisfies(a -> {
            // Within one check (0.5 s) and a frame of 4 s; resolved at the end of the input.
            assertThat(a.start()).isCloseTo(4.25, offset(0.3));
            assertThat(a.end()).isCloseTo(9.0, offset(0.05));
            assertThat(a.metrics().get("score")).isLessThan(0.5);
        });
    }

    @Test
    void cardsBetweenProgrammeRaiseSlateNamingTheCard() {
        record Case(String name, int card, String filter) {
        }
        for (Case c : List.of(new Case("no-signal-pillarboxed", 0, PILLARBOXED_SMALLER),
                new Case("difficulties-zoomed", 1, ZOOMED_CROPPED))) {
            Path clip = cardClip(c.name(), "Dune.jpg", c.card(), c.filter());
            List<Event> events = new ArrayList<>();
            assertThat(Analysis.run(clip.toString(), "v", slateConfig(), events::add, null, n -> { }))
                    .isEqualTo(Analysis.Outcome.COMPLETE);
            List<Event.Alarm> slates = events.stream()
                    .filter(e -> e instanceof Event.Alarm a && !a.firing() && a.detector().equals("slate"))
                    .map(e -> (Event.Alarm) e).toList();
            String name = CardLibrary.nameOf(cards.get(c.card()));
            assertThat(slates).as(c.name()).singleElement().satisfies(a -> {
                // Within a check (1 s) of 3 s and 7 s.
                assertThat(a.start()).isBetween(3.0, 4.05);
                assertThat(a.end()).isBetween(7.0, 8.05);
                assertThat(a.metrics()).containsEntry("card", (double) c.card());
            });
            assertThat(events).filteredOn(e -> e instanceof Event.Alarm a && a.firing()
                    && a.detector().equals("slate")).singleElement()
                    .satisfies(e -> assertThat(((Event.Alarm) e).summary()).startsWith("slate '" + name + "'"));
            assertThat(events).as("a card is still: freeze is explained by slate")
                    .noneMatch(e -> e instanceof Event.Alarm a && a.detector().equals("freeze") && a.cause() == null);
        }
    }

    @Test
    void cleanClipsRaiseNothingAndTheScoresStandApart() {
        List<Double> logoOn = new ArrayList<>();
        List<Double> logoOff = new ArrayList<>();
        List<Double> cardScores = new ArrayList<>();
        List<Double> micros = new ArrayList<>();
        int falseLogo = 0;
        int falseSlate = 0;
        VigilConfig both = only("""
                detectors:
                  logo_missing: {enabled: true, duration: 2, logo: %s, referenceWidth: 1280, regionX: 0.7,
                                 regionWidth: 0.3, regionHeight: 0.3}
                  slate: {enabled: true, cards: [%s]}
                """.formatted(logo, String.join(", ", cards.stream().map(Path::toString).toList())));
        int i = 0;
        for (String photo : PictureClips.PHOTOS) {
            // Drawn at 1280x720 and carried at 960x540 or 640x360: the logo, drawn for 1280, is scaled to the
            // stream's picture.
            int width = i++ % 2 == 0 ? 960 : 640;
            Path clip = logoClip("clean-" + photo, photo, 4, 99, width);
            List<Event> events = new ArrayList<>();
            assertThat(Analysis.run(clip.toString(), "v", both, events::add, null, n -> { }))
                    .isEqualTo(Analysis.Outcome.COMPLETE);
            falseLogo += (int) events.stream().filter(e -> e instanceof Event.Alarm a && a.firing()
                    && a.detector().equals("logo_missing")).count();
            falseSlate += (int) events.stream().filter(e -> e instanceof Event.Alarm a && a.firing()
                    && a.detector().equals("slate")).count();
            Path bare = logoClip("bare-" + photo, photo, 2, 0, width);
            try (StatisticsEngine engine = PictureClips.cpuEngine()) {
                for (Path c : List.of(clip, bare)) {
                    try (PictureMatching m = new PictureMatching(engine, LogoMatcher.load(logo, 1280,
                            new LogoMatcher.Region(0.7, 0, 0.3, 0.3)), 2, CardLibrary.load(cards), 2)) {
                        for (PictureClips.Check check : PictureClips.checks(c, m)) {
                            (c == clip ? logoOn : logoOff).add(check.logoScore());
                            cardScores.add(check.cardScore());
                        }
                        micros.add(m.meanCheckMicros());
                    }
                }
            }
        }
        DoubleSummaryStatistics on = logoOn.stream().mapToDouble(d -> d).summaryStatistics();
        DoubleSummaryStatistics off = logoOff.stream().mapToDouble(d -> d).summaryStatistics();
        DoubleSummaryStatistics card = cardScores.stream().mapToDouble(d -> d).summaryStatistics();
        System.out.printf(Locale.ROOT, "logo present: %d checks, min %.3f mean %.3f; logo absent: %d checks, max %.3f"
                        + " mean %.3f; best card on programme: max %.3f mean %.3f; check (logo + 3 cards, CPU"
                        + " small picture included): %.0f us mean; false logo_missing %d, false slate %d%n",
                on.getCount(), on.getMin(), on.getAverage(), off.getCount(), off.getMax(), off.getAverage(),
                card.getMax(), card.getAverage(), micros.stream().mapToDouble(d -> d).average().orElse(0),
                falseLogo, falseSlate);
        assertThat(falseLogo).as("logo_missing on clean clips").isZero();
        assertThat(falseSlate).as("slate on clean clips").isZero();
        assertThat(on.getMin()).as("the logo is found on every check").isGreaterThan(0.5);
        assertThat(off.getMax()).as("no chance match of the logo").isLessThan(0.5);
        assertThat(card.getMax()).as("no chance match of a card").isLessThan(0.6);
    }
}
