package io.vigil.kernels.picture;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.extractChannel;
import static org.bytedeco.opencv.global.opencv_core.min;
import static org.bytedeco.opencv.global.opencv_core.minMaxLoc;
import static org.bytedeco.opencv.global.opencv_core.setNumThreads;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_GRADIENT;
import static org.bytedeco.opencv.global.opencv_imgproc.morphologyEx;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.TM_CCOEFF_NORMED;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.matchTemplate;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * An 8-bit grey picture in OpenCV's memory, the one owner of its {@code Mat}: every other class of this package
 * works through it, so that each native picture is made in one place and freed once ({@link #close}). Temporaries
 * of a call (headers of a region, result matrices) are freed before the call returns. Not thread-safe.
 */
public final class GrayImage implements AutoCloseable {
    static {
        // Each stream's checks run on its own analysis thread, a few times a second: OpenCV's own thread pool would
        // only compete with the other streams for the cores.
        setNumThreads(1);
    }

    private Mat mat;
    private final int width;
    private final int height;

    private GrayImage(Mat mat) {
        this.mat = mat;
        this.width = mat.cols();
        this.height = mat.rows();
    }

    /** A picture {@code width} x {@code height}, its samples not yet set (fill them through {@link #pixels}). */
    public static GrayImage allocate(int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a picture needs at least one sample, got " + width + " x " + height);
        }
        return new GrayImage(new Mat(height, width, CV_8UC1));
    }

    /** A picture of {@code samples} (row after row, {@code width} per row). */
    public static GrayImage of(byte[] samples, int width, int height) {
        GrayImage image = allocate(width, height);
        MemorySegment.copy(MemorySegment.ofArray(samples), 0, image.pixels(), 0, (long) width * height);
        return image;
    }

    /**
     * A picture file (PNG, JPEG, ...) as luma and, when it has one, its alpha channel ({@code alpha} null
     * otherwise); 16-bit samples are brought to 8. Throws {@link IllegalArgumentException} naming the file when it
     * cannot be read or decoded.
     */
    public static Decoded read(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(file + " is not a readable file");
        }
        try (Mat raw = imread(file.toString(), IMREAD_UNCHANGED)) {
            if (raw.empty()) {
                throw new IllegalArgumentException(file + " is not a picture OpenCV can decode");
            }
            try (Mat eight = new Mat()) {
                Mat source = raw;
                if (raw.depth() != CV_8U) {
                    raw.convertTo(eight, CV_8U, raw.elemSize1() == 2 ? 1 / 257.0 : 1, 0);
                    source = eight;
                }
                Mat luma = new Mat();
                Mat alpha = null;
                switch (source.channels()) {
                    case 1 -> source.copyTo(luma);
                    case 2 -> {
                        extractChannel(source, luma, 0);
                        alpha = new Mat();
                        extractChannel(source, alpha, 1);
                    }
                    case 3 -> cvtColor(source, luma, COLOR_BGR2GRAY);
                    case 4 -> {
                        cvtColor(source, luma, COLOR_BGRA2GRAY);
                        alpha = new Mat();
                        extractChannel(source, alpha, 3);
                    }
                    default -> {
                        luma.close();
                        throw new IllegalArgumentException(file + " has " + source.channels() + " channels");
                    }
                }
                return new Decoded(new GrayImage(luma), alpha == null ? null : new GrayImage(alpha));
            }
        }
    }

    /** A decoded picture file: its luma, and its alpha (null when it has none); closing it closes both. */
    public record Decoded(GrayImage luma, GrayImage alpha) implements AutoCloseable {
        @Override
        public void close() {
            luma.close();
            if (alpha != null) {
                alpha.close();
            }
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The samples, row after row without padding, for reading or writing in place. */
    public MemorySegment pixels() {
        ensureOpen();
        return MemorySegment.ofAddress(mat.data().address()).reinterpret((long) width * height);
    }

    /** A copy of the samples. */
    public byte[] samples() {
        return pixels().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /** A new picture, this one scaled to {@code w} x {@code h} (area averaging when smaller, bilinear when larger). */
    public GrayImage resized(int w, int h) {
        ensureOpen();
        Mat out = new Mat();
        try (Size size = new Size(Math.max(1, w), Math.max(1, h))) {
            boolean smaller = w <= width && h <= height;
            resize(mat, out, size, 0, 0, smaller ? INTER_AREA : INTER_LINEAR);
        }
        return new GrayImage(out);
    }

    /**
     * A new picture of this one's edges: the morphological gradient (largest minus smallest sample of each 3x3
     * neighbourhood), which keeps text and box outlines and drops flat fields and slow gradients.
     */
    public GrayImage edges() {
        ensureOpen();
        Mat out = new Mat();
        try (Mat kernel = new Mat()) {
            morphologyEx(mat, out, MORPH_GRADIENT, kernel);
        }
        return new GrayImage(out);
    }

    /** A new picture, a copy of the {@code w} x {@code h} region at {@code x}, {@code y} (clipped to the picture). */
    public GrayImage cropped(int x, int y, int w, int h) {
        ensureOpen();
        int x0 = Math.clamp(x, 0, width - 1);
        int y0 = Math.clamp(y, 0, height - 1);
        int w0 = Math.clamp(w, 1, width - x0);
        int h0 = Math.clamp(h, 1, height - y0);
        try (Rect rect = new Rect(x0, y0, w0, h0); Mat view = new Mat(mat, rect)) {
            return new GrayImage(view.clone());
        }
    }

    /**
     * The best normalised correlation coefficient (OpenCV's {@code TM_CCOEFF_NORMED}: -1..1, 1 for the same
     * pattern at any brightness and contrast) of {@code template} over every place it fits inside the region
     * {@code x}, {@code y}, {@code w} x {@code h} of this picture (clipped to it). A flat window scores 0; a
     * template larger than the region scores NaN (not judged).
     */
    public double bestMatch(GrayImage template, int x, int y, int w, int h) {
        ensureOpen();
        template.ensureOpen();
        int x0 = Math.clamp(x, 0, width);
        int y0 = Math.clamp(y, 0, height);
        int w0 = Math.min(w, width - x0);
        int h0 = Math.min(h, height - y0);
        if (template.width > w0 || template.height > h0) {
            return Double.NaN;
        }
        try (Rect rect = new Rect(x0, y0, w0, h0); Mat view = new Mat(mat, rect); Mat result = new Mat()) {
            matchTemplate(view, template.mat, result, TM_CCOEFF_NORMED);
            double[] max = new double[1];
            minMaxLoc(result, null, max, null, null, null);
            return Double.isFinite(max[0]) ? Math.clamp(max[0], -1, 1) : 0;
        }
    }

    /**
     * The best, over the places within {@code maxShiftX} x {@code maxShiftY} samples of the centre, of the smaller
     * of two correlation coefficients at the same place: {@code template} on this picture and {@code templateEdges}
     * on {@code edges} (this picture's {@link #edges}). A picture must match a card both in its fields and in its
     * outlines: a smooth photograph can share a card's broad shading, a textured one its edges, rarely both at
     * once. NaN when the template does not fit.
     */
    public double bestJointMatch(GrayImage edges, GrayImage template, GrayImage templateEdges, int maxShiftX,
                                 int maxShiftY) {
        ensureOpen();
        int x0 = Math.max(0, (width - template.width) / 2 - maxShiftX);
        int y0 = Math.max(0, (height - template.height) / 2 - maxShiftY);
        int w = Math.min(width - x0, template.width + 2 * maxShiftX + 1);
        int h = Math.min(height - y0, template.height + 2 * maxShiftY + 1);
        if (template.width > w || template.height > h) {
            return Double.NaN;
        }
        try (Rect rect = new Rect(x0, y0, w, h); Mat view = new Mat(mat, rect); Mat edgeView = new Mat(edges.mat, rect);
             Mat fields = new Mat(); Mat outlines = new Mat(); Mat both = new Mat()) {
            matchTemplate(view, template.mat, fields, TM_CCOEFF_NORMED);
            matchTemplate(edgeView, templateEdges.mat, outlines, TM_CCOEFF_NORMED);
            min(fields, outlines, both);
            double[] max = new double[1];
            minMaxLoc(both, null, max, null, null, null);
            return Double.isFinite(max[0]) ? Math.clamp(max[0], -1, 1) : 0;
        }
    }

    /** As {@link #bestMatch(GrayImage, int, int, int, int)} over the whole picture. */
    public double bestMatch(GrayImage template) {
        return bestMatch(template, 0, 0, width, height);
    }

    private void ensureOpen() {
        if (mat == null) {
            throw new IllegalStateException("picture used after close");
        }
    }

    @Override
    public void close() {
        if (mat != null) {
            mat.close();
            mat = null;
        }
    }
}
