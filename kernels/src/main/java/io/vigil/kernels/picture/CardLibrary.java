package io.vigil.kernels.picture;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A library of full-screen cards (an IRD's no-signal screen, a "technical difficulties" card, an encoder's fallback
 * slate), each recognised on the small picture by multi-scale correlation of the whole card.
 *
 * <p>How: the small picture is reduced to {@value #WORK_WIDTH} samples wide; each card, fitted inside that picture
 * with its aspect ratio kept, loses a margin of {@value #MARGIN_PERCENT}% on each side (so that a card cropped by a
 * few per cent still fits inside what is shown), and is tried at scales from {@value #LARGEST_SCALE} down to
 * {@value #SMALLEST_SCALE} in steps of {@value #STEP}, 1 among them (a card zoomed to hide its edges, shown smaller,
 * 4:3 in 16:9), at every place within {@value #SHIFT_PERCENT}% of the centre. At each place two normalised
 * correlation coefficients (OpenCV's TM_CCOEFF_NORMED) are taken, of the picture and of its edges (a 3x3
 * morphological gradient), and the smaller counts: a card must match in its fields and in its outlines. The best
 * card's best score is the match.
 *
 * <p>Why this and not features (ORB, a ratio test, a homography's inliers): cards are flat graphics, a few words on a
 * plain or gradient field, which give few corners at 320 samples wide, and a homography fitted to a handful of
 * matches is unstable; what sets a card apart is its layout, which correlation of the whole picture measures. At 96
 * samples wide compression artefacts and scaling filters are averaged away, and the correlation coefficient ignores
 * brightness and contrast (limited or full range, a dimmed card). Fields alone let smooth photographs score up to
 * 0.79 against the test cards, and edges alone textured ones; both together stay below 0.42, while the cards, scaled,
 * cropped and coded at 300 kb/s, score 0.83 and more. Rotation, perspective and a card far off centre are what it
 * gives up. The cost is fixed and small: two small matchTemplates per card and scale.
 */
public final class CardLibrary implements AutoCloseable {
    /** Width of the picture the cards are matched on, in samples. */
    static final int WORK_WIDTH = 96;
    static final int MARGIN_PERCENT = 10;
    /** Ratio of one scale tried to the next: a card between two is at most 3% off one of them. */
    static final double STEP = 0.94;
    /** How far from the centre a card may be shown, in per cent of the picture's width and height. */
    static final int SHIFT_PERCENT = 8;
    static final double LARGEST_SCALE = 1.2;
    static final double SMALLEST_SCALE = 0.5;

    /** What matched best: the card's index in the library and its score; score NaN when nothing was judged. */
    public record Match(int card, double score) {
        public static final Match NONE = new Match(-1, Double.NaN);
    }

    private final List<String> names;
    private final List<GrayImage> cards;
    /** Each card's templates at each scale, for the current work picture's height; rebuilt when it changes. */
    private final List<List<Template>> templates = new ArrayList<>();
    private int workHeight = -1;

    private CardLibrary(List<String> names, List<GrayImage> cards) {
        this.names = List.copyOf(names);
        this.cards = List.copyOf(cards);
    }

    /**
     * The cards in {@code files}, named by their file names without the extension. Throws
     * {@link IllegalArgumentException} naming the first file that cannot be read (the others are freed).
     */
    public static CardLibrary load(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a card library needs at least one picture");
        }
        List<String> names = new ArrayList<>();
        List<GrayImage> cards = new ArrayList<>();
        try {
            for (Path file : files) {
                try (GrayImage.Decoded decoded = GrayImage.read(file)) {
                    // Kept at most 4 times the work picture's width: each size's templates are made from this.
                    GrayImage luma = decoded.luma();
                    double keep = Math.min(1, 4.0 * WORK_WIDTH / luma.width());
                    cards.add(luma.resized((int) Math.round(luma.width() * keep),
                            (int) Math.round(luma.height() * keep)));
                }
                names.add(nameOf(file));
            }
        } catch (RuntimeException e) {
            cards.forEach(GrayImage::close);
            throw e;
        }
        return new CardLibrary(names, cards);
    }

    /** "no-signal" for /etc/vigil/cards/no-signal.png. */
    public static String nameOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    public List<String> names() {
        return names;
    }

    /** The card that matches {@code small} best, and how well. */
    public Match best(GrayImage small) {
        int h = Math.max(1, (int) Math.round((double) WORK_WIDTH * small.height() / small.width()));
        try (GrayImage work = small.resized(WORK_WIDTH, h); GrayImage edges = work.edges()) {
            prepare(h);
            int shiftX = (int) Math.ceil(WORK_WIDTH * SHIFT_PERCENT / 100.0);
            int shiftY = (int) Math.ceil(h * SHIFT_PERCENT / 100.0);
            int bestCard = -1;
            double bestScore = Double.NaN;
            for (int c = 0; c < cards.size(); c++) {
                for (Template t : templates.get(c)) {
                    double score = work.bestJointMatch(edges, t.fields(), t.outlines(), shiftX, shiftY);
                    if (!Double.isNaN(score) && (bestCard < 0 || score > bestScore)) {
                        bestCard = c;
                        bestScore = score;
                    }
                }
            }
            return bestCard < 0 ? Match.NONE : new Match(bestCard, bestScore);
        }
    }

    /** One card at one scale: its picture and its edges. */
    private record Template(GrayImage fields, GrayImage outlines) implements AutoCloseable {
        @Override
        public void close() {
            fields.close();
            outlines.close();
        }
    }

    /** Builds every card's templates for a work picture {@value #WORK_WIDTH} x {@code h}. */
    private void prepare(int h) {
        if (h == workHeight) {
            return;
        }
        closeTemplates();
        workHeight = h;
        for (GrayImage card : cards) {
            List<Template> scaled = new ArrayList<>();
            double fit = Math.min((double) WORK_WIDTH / card.width(), (double) h / card.height());
            double keep = 1 - 2 * MARGIN_PERCENT / 100.0;
            // The kept centre, cut from the card at its own resolution, then scaled once per scale.
            int cx = (int) Math.round(card.width() * MARGIN_PERCENT / 100.0);
            int cy = (int) Math.round(card.height() * MARGIN_PERCENT / 100.0);
            try (GrayImage centre = card.cropped(cx, cy, card.width() - 2 * cx, card.height() - 2 * cy)) {
                for (double s : scales()) {
                    int tw = (int) Math.round(card.width() * fit * keep * s);
                    int th = (int) Math.round(card.height() * fit * keep * s);
                    if (tw <= WORK_WIDTH && th <= h && tw >= LogoMatcher.MIN_TEMPLATE
                            && th >= LogoMatcher.MIN_TEMPLATE) {
                        GrayImage t = centre.resized(tw, th);
                        scaled.add(new Template(t, t.edges()));
                    }
                }
            }
            templates.add(scaled);
        }
    }

    /** The scales tried: 1 (the card fills the picture as drawn), then steps of {@link #STEP} up and down. */
    static double[] scales() {
        java.util.List<Double> out = new ArrayList<>();
        for (double s = 1; s <= LARGEST_SCALE + 1e-9; s /= STEP) {
            out.add(s);
        }
        for (double s = STEP; s >= SMALLEST_SCALE - 1e-9; s *= STEP) {
            out.add(s);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private void closeTemplates() {
        templates.forEach(list -> list.forEach(Template::close));
        templates.clear();
    }

    @Override
    public void close() {
        closeTemplates();
        cards.forEach(GrayImage::close);
    }
}
