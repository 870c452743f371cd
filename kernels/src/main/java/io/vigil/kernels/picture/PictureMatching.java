package io.vigil.kernels.picture;

import io.vigil.ffi.ThumbnailWriter;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.FrameStats;
import io.vigil.kernels.engine.StatisticsEngine;

/**
 * One stream's logo and card checks: a few frames a second (by media time), the frame's luma is made small as its
 * thumbnail is ({@link StatisticsEngine#smallLuma}: on the GPU the device makes it small and only 320 x h samples
 * come back) and matched against the stream's logo and card library; the scores go into {@link FrameStats}
 * ({@code logoScore}, {@code cardScore}, {@code cardIndex}) on the frames checked, and stay NaN on the others. One
 * per stream, on its analysis thread; owns its matchers and pictures, freed by {@link #close}.
 */
public final class PictureMatching implements AutoCloseable {
    private final StatisticsEngine engine;
    private final LogoMatcher logo;
    private final double logoPeriodSeconds;
    private final CardLibrary cards;
    private final double cardPeriodSeconds;
    private final ThumbnailWriter writer = new ThumbnailWriter();
    private GrayImage small;
    private double nextLogoSeconds = Double.NEGATIVE_INFINITY;
    private double nextCardSeconds = Double.NEGATIVE_INFINITY;
    private double lastSeconds = Double.NaN;
    private long checks;
    private long checkNanos;

    /**
     * Checks {@code logo} (null: none) {@code logoChecksPerSecond} times a second and {@code cards} (null: none)
     * {@code cardChecksPerSecond} times, on pictures made small by {@code engine}; takes ownership of both.
     */
    public PictureMatching(StatisticsEngine engine, LogoMatcher logo, double logoChecksPerSecond, CardLibrary cards,
                           double cardChecksPerSecond) {
        if (logo == null && cards == null) {
            throw new IllegalArgumentException("nothing to match: neither a logo nor cards");
        }
        this.engine = engine;
        this.logo = logo;
        this.logoPeriodSeconds = period(logoChecksPerSecond);
        this.cards = cards;
        this.cardPeriodSeconds = period(cardChecksPerSecond);
    }

    private static double period(double perSecond) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("checks per second must be above 0, got " + perSecond);
        }
        return 1 / perSecond;
    }

    /** Checks {@code frame} when a check is due, writing the scores into {@code out} (already begun for it). */
    public void compute(VideoFrame frame, FrameStats out) {
        double t = frame.ptsSeconds();
        if (t < lastSeconds) {
            // The timeline went back (a reopened input): check again from here.
            nextLogoSeconds = Double.NEGATIVE_INFINITY;
            nextCardSeconds = Double.NEGATIVE_INFINITY;
        }
        lastSeconds = t;
        boolean logoDue = logo != null && t >= nextLogoSeconds;
        boolean cardDue = cards != null && t >= nextCardSeconds;
        if (!logoDue && !cardDue) {
            return;
        }
        long start = System.nanoTime();
        GrayImage picture = smallPicture(frame);
        if (logoDue) {
            nextLogoSeconds = t + logoPeriodSeconds;
            out.logoScore = logo.score(picture, frame.width(), frame.height());
        }
        if (cardDue) {
            nextCardSeconds = t + cardPeriodSeconds;
            CardLibrary.Match match = cards.best(picture);
            out.cardScore = match.score();
            out.cardIndex = match.card();
        }
        checks++;
        checkNanos += System.nanoTime() - start;
    }

    /** The frame's small luma, in a picture kept for the next check (remade when the size changes). */
    private GrayImage smallPicture(VideoFrame frame) {
        int height = ThumbnailWriter.heightFor(frame);
        if (small == null || small.height() != height) {
            if (small != null) {
                small.close();
            }
            small = null;
            small = GrayImage.allocate(ThumbnailWriter.WIDTH, height);
        }
        engine.smallLuma(frame, writer, small.pixels());
        return small;
    }

    /** The library's card names, by index; empty without cards. */
    public java.util.List<String> cardNames() {
        return cards == null ? java.util.List.of() : cards.names();
    }

    /** Frames checked so far. */
    public long checks() {
        return checks;
    }

    /** Mean time of one check (making the picture small and matching), in microseconds; NaN before any. */
    public double meanCheckMicros() {
        return checks == 0 ? Double.NaN : checkNanos / 1e3 / checks;
    }

    @Override
    public void close() {
        if (logo != null) {
            logo.close();
        }
        if (cards != null) {
            cards.close();
        }
        if (small != null) {
            small.close();
            small = null;
        }
        writer.close();
    }
}
