package io.vigil.engine.detect;

import com.google.auto.service.AutoService;
import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorProvider;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.Evidence;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.engine.detect.spec.StatisticParameter;
import io.vigil.engine.detect.spec.StatisticRead;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.picture.CardLibrary;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A known slate or no-signal card is on air instead of programme: a few frames a second the
 * {@link CardLibrary} matches the small picture against the configured cards; the condition holds from the first
 * checked frame whose best card scores at least {@code threshold} to the first where none does. The alarm names the
 * card that matched best in its run (by its file name). Where this detector runs, colorbars' flat-still slate rule
 * is off: the library is the slate check. Frames not checked leave the run as it is.
 */
public final class SlateDetector extends FrameRunDetector {
    public static final String NAME = "slate";

    /**
     * Off by default: it needs the cards the channel's chain puts on air. Raised after 2 s, as colorbars: a card is
     * never programme. Error, as colorbars: the channel carries no programme. It explains freeze (a card is still)
     * and logo_missing (a card carries no channel logo).
     */
    @AutoService(DetectorProvider.class)
    public static final class Spec extends DetectorProvider {
        public Spec() {
            super(DetectorSpec.builder(NAME, 210)
                    .describe("a slate or no-signal card", """
                            a card of the library `cards` (picture files: an IRD's no-signal screen, a technical
                            difficulties card, an encoder's fallback slate) is on air. `checksPerSecond` frames a
                            second (by media time) the small picture vigil makes of a frame (320 samples wide, the
                            thumbnail's; made small on the device on the GPU) is reduced to 96 samples wide; each
                            card, fitted inside it with its aspect ratio kept, less a margin of 10% on each side (a
                            card cropped by a few per cent still fits), is tried at scales from 1.2 to 0.5 in steps
                            of 6% (zoomed to hide its edges, shown smaller, 4:3 in 16:9) at every place within 8% of
                            the centre; each place scores the smaller of two normalised correlation coefficients
                            (OpenCV matchTemplate TM_CCOEFF_NORMED: brightness, contrast and compression hardly
                            count), of the picture and of its edges (3x3 morphological gradient): a card matches in
                            its fields and its outlines. The best card's best score at or above `threshold` is a
                            match. Correlation of the whole card rather than features (ORB): cards
                            are flat graphics with few corners, their layout is what tells them apart. With this
                            detector on, colorbars' flat-still `slate` rule is off. Metrics `score` (the best),
                            `card` (its place in `cards`, from 0); the summary names it""")
                    .alarm(Severity.ERROR, 2.0, 0.0)
                    .offByDefault()
                    .parameter(ParamSpec.files("cards", "the card library: picture files, each named by its file"
                            + " name without the extension"))
                    .parameter(ParamSpec.number("threshold", 0.7, -1, 1, "",
                            "best correlation at or above which a card is on air")
                            .withNote("the test cards pillarboxed, shrunk, zoomed and cropped, coded at 300 kb/s,"
                                    + " score 0.83 or more; panned photographs from mate-backgrounds at most 0.42"))
                    .parameter(ParamSpec.number("checksPerSecond", 1, 0.1, 25, "",
                            "frames checked per second of media"))
                    .reads(StatisticRead.of(Statistic.CARD_MATCH)
                            .setting(StatisticParameter.CARD_FILES, NAME, "cards")
                            .setting(StatisticParameter.CARD_CHECKS_PER_SECOND, NAME, "checksPerSecond"))
                    .evidence(Evidence.CONDITION_START)
                    .explains(FreezeDetector.NAME)
                    .explains(LogoMissingDetector.NAME)
                    .factory(c -> new SlateDetector(c.settings(), c.tracker()))
                    .build());
        }
    }

    private final double threshold;
    private final List<String> names;
    private double bestScore;
    private int bestCard;

    public SlateDetector(DetectorSettings settings, AlarmTracker tracker) {
        super(NAME, settings, tracker);
        this.threshold = settings.number("threshold");
        this.names = settings.files("cards").stream().map(CardLibrary::nameOf).toList();
    }

    @Override
    protected boolean judged(FrameStats s) {
        return !Double.isNaN(s.cardScore);
    }

    @Override
    protected boolean holds(FrameStats s) {
        return s.cardScore >= threshold;
    }

    @Override
    protected void startRun(FrameStats s) {
        bestScore = Double.NEGATIVE_INFINITY;
        bestCard = -1;
    }

    @Override
    protected void track(FrameStats s) {
        if (s.cardScore > bestScore) {
            bestScore = s.cardScore;
            bestCard = s.cardIndex;
        }
    }

    /** The name of the run's best card ("card 2" when the library changed under it). */
    private String cardName() {
        return bestCard >= 0 && bestCard < names.size() ? names.get(bestCard) : "card " + bestCard;
    }

    @Override
    public String summary(double heldSeconds) {
        return String.format(Locale.ROOT, "slate '%s' for %.1f s", cardName(), heldSeconds);
    }

    @Override
    public void metrics(Map<String, Double> out) {
        out.put("score", Math.round(bestScore * 1000) / 1000.0);
        out.put("card", (double) bestCard);
    }
}
