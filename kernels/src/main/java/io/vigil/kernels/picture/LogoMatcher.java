package io.vigil.kernels.picture;

import java.nio.file.Path;

/**
 * Finds a stream's logo (station bug) on its small picture. The reference is a picture file of the logo as it is
 * keyed onto the programme, at the resolution of a picture {@code referenceWidth} pixels wide (0: the stream's own);
 * its alpha, when it has one, is the logo's shape. The reference is composited over mid grey and cut to where its
 * alpha is not 0 (a full-frame overlay becomes the logo alone), then scaled to the small picture's scale, once per
 * picture size. The score is the best normalised correlation coefficient (-1..1) of that template inside the
 * {@link Region} where the logo belongs.
 *
 * <p>Why composited rather than masked: a logo is often one flat colour whose information is its shape; inside its
 * mask such a logo has no variance, and a masked correlation of the inside alone is undefined. Over grey, the shape
 * is the pattern, and a brighter or darker logo, opaque or translucent, still correlates with it.
 */
public final class LogoMatcher implements AutoCloseable {
    /** Smallest template, in samples either way, that still carries a shape. */
    static final int MIN_TEMPLATE = 4;
    /** Samples of search room around the region, for rounding and a logo moved by a pixel or two. */
    private static final int SLACK = 2;

    /**
     * Where the logo belongs, as shares (0..1) of the picture's width and height: the area it lies within.
     *
     * @param x left edge
     * @param y top edge
     */
    public record Region(double x, double y, double width, double height) {
        public static final Region WHOLE_PICTURE = new Region(0, 0, 1, 1);

        public Region {
            if (!(x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= 1 + 1e-9 && y + height <= 1 + 1e-9)) {
                throw new IllegalArgumentException("a logo region must lie inside the picture, got " + x + ", " + y
                        + ", " + width + " x " + height);
            }
        }
    }

    private final Path file;
    private final GrayImage reference;
    private final int referenceWidth;
    private final Region region;
    private GrayImage template;
    private int templateFrameWidth = -1;
    private int templateFrameHeight = -1;
    private int templateSmallHeight = -1;

    private LogoMatcher(Path file, GrayImage reference, int referenceWidth, Region region) {
        this.file = file;
        this.reference = reference;
        this.referenceWidth = referenceWidth;
        this.region = region;
    }

    /**
     * The logo in {@code file}, drawn for a picture {@code referenceWidth} pixels wide (0: the stream's), looked for
     * in {@code region}. Throws {@link IllegalArgumentException} naming the file when it cannot be read, or when its
     * alpha leaves nothing.
     */
    public static LogoMatcher load(Path file, int referenceWidth, Region region) {
        if (referenceWidth < 0) {
            throw new IllegalArgumentException("referenceWidth must be 0 or more, got " + referenceWidth);
        }
        try (GrayImage.Decoded decoded = GrayImage.read(file)) {
            return new LogoMatcher(file, composite(file, decoded), referenceWidth, region);
        }
    }

    /** The logo over mid grey, cut to its alpha's bounding box (the whole picture without alpha). */
    private static GrayImage composite(Path file, GrayImage.Decoded decoded) {
        GrayImage luma = decoded.luma();
        int w = luma.width();
        int h = luma.height();
        if (decoded.alpha() == null) {
            return luma.cropped(0, 0, w, h);
        }
        byte[] y = luma.samples();
        byte[] a = decoded.alpha().samples();
        int left = w;
        int top = h;
        int right = -1;
        int bottom = -1;
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                int i = row * w + col;
                int alpha = a[i] & 0xFF;
                y[i] = (byte) (((y[i] & 0xFF) * alpha + 128 * (255 - alpha) + 127) / 255);
                if (alpha != 0) {
                    left = Math.min(left, col);
                    right = Math.max(right, col);
                    top = Math.min(top, row);
                    bottom = Math.max(bottom, row);
                }
            }
        }
        if (right < 0) {
            throw new IllegalArgumentException(file + " is transparent everywhere: no logo to look for");
        }
        // One sample of the surround on each side, so that the shape's edge is inside the template.
        left = Math.max(0, left - 1);
        top = Math.max(0, top - 1);
        right = Math.min(w - 1, right + 1);
        bottom = Math.min(h - 1, bottom + 1);
        try (GrayImage over = GrayImage.of(y, w, h)) {
            return over.cropped(left, top, right - left + 1, bottom - top + 1);
        }
    }

    /**
     * The best correlation (-1..1) of the logo in its region of {@code small}, the small picture of a frame
     * {@code frameWidth} x {@code frameHeight}; NaN when the logo is too small at this scale to be judged.
     */
    public double score(GrayImage small, int frameWidth, int frameHeight) {
        GrayImage t = templateFor(small, frameWidth, frameHeight);
        if (t == null) {
            return Double.NaN;
        }
        int w = small.width();
        int h = small.height();
        int x0 = (int) Math.floor(region.x() * w) - SLACK;
        int y0 = (int) Math.floor(region.y() * h) - SLACK;
        int x1 = (int) Math.ceil((region.x() + region.width()) * w) + SLACK;
        int y1 = (int) Math.ceil((region.y() + region.height()) * h) + SLACK;
        // A region narrower than the logo is its centre: widen it to fit the template.
        if (x1 - x0 < t.width()) {
            int grow = t.width() - (x1 - x0);
            x0 -= grow / 2;
            x1 += grow - grow / 2;
        }
        if (y1 - y0 < t.height()) {
            int grow = t.height() - (y1 - y0);
            y0 -= grow / 2;
            y1 += grow - grow / 2;
        }
        x0 = Math.max(0, x0);
        y0 = Math.max(0, y0);
        return small.bestMatch(t, x0, y0, Math.min(w, x1) - x0, Math.min(h, y1) - y0);
    }

    /** The reference scaled from its picture's size to the small picture's (kept until the size changes). */
    private GrayImage templateFor(GrayImage small, int frameWidth, int frameHeight) {
        if (frameWidth == templateFrameWidth && frameHeight == templateFrameHeight
                && small.height() == templateSmallHeight) {
            return template;
        }
        if (template != null) {
            template.close();
            template = null;
        }
        templateFrameWidth = frameWidth;
        templateFrameHeight = frameHeight;
        templateSmallHeight = small.height();
        double sourceWidth = referenceWidth > 0 ? referenceWidth : frameWidth;
        double sourceHeight = sourceWidth * frameHeight / frameWidth;
        int tw = (int) Math.round(reference.width() * small.width() / sourceWidth);
        int th = (int) Math.round(reference.height() * small.height() / sourceHeight);
        if (tw < MIN_TEMPLATE || th < MIN_TEMPLATE || tw > small.width() || th > small.height()) {
            return null;
        }
        template = reference.resized(tw, th);
        return template;
    }

    /** Size of the template on the last small picture, "w x h", or "none" when it is too small (for messages). */
    public String templateSize() {
        return template == null ? "none" : template.width() + " x " + template.height();
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        reference.close();
        if (template != null) {
            template.close();
            template = null;
        }
    }
}
