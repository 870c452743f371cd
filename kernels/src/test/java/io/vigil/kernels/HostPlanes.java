package io.vigil.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A picture in host memory, in one of the layouts the statistics read, with awkward sizes: odd widths and heights,
 * pitches that are sometimes 16-byte multiples (the kernels' vector path) and sometimes odd (their per-sample path),
 * and padding after each row filled with garbage, so that reading past a row changes the result. Planes start
 * 256-byte aligned, as cuMemAlloc's do. Each plane is exactly {@code pitch * (height - 1) + row bytes} long.
 */
final class HostPlanes {
    /** The layouts: NVDEC's two (NV12, P010), and planar 8-, 10- and 16-bit ones for the CPU path. */
    enum Format {
        NV12(2, 1, 0, 8, true),
        P010(2, 2, 6, 10, true),
        YUV420P(3, 1, 0, 8, false),
        YUV420P10(3, 2, 0, 10, false),
        YUV420P16(3, 2, 0, 16, false);

        final int planes;
        final int bytesPerSample;
        final int shift;
        final int bitDepth;
        final boolean interleaved;

        Format(int planes, int bytesPerSample, int shift, int bitDepth, boolean interleaved) {
            this.planes = planes;
            this.bytesPerSample = bytesPerSample;
            this.shift = shift;
            this.bitDepth = bitDepth;
            this.interleaved = interleaved;
        }

        /** The largest sample value, after the shift. */
        int maxValue() {
            return (1 << bitDepth) - 1;
        }
    }

    /** What the samples hold. */
    enum Fill {
        NOISE, BLACK, MAX, DARK_RUNS,
        /** Mostly within broadcast range (16..235 luma, 16..240 chroma, scaled), about 2% anywhere in the range. */
        BROADCAST,
        /** Each sample one of the broadcast limits or one step outside them (16m - 1, 16m, 235m or 240m, and + 1). */
        LIMITS,
        /**
         * Bars at the edges (top height/7, bottom height/5, left width/9, right width/4 of plane 0's picture) of dark
         * noise straddling cropdetect's default limit (0..2 * 24/255 of the range), so that rows and columns near
         * the limit fall either way; noise inside.
         */
        BARS
    }

    final Format format;
    final int width;
    final int height;
    final MemorySegment[] planes;
    final int[] pitches;
    final int[] planeWidths;
    final int[] planeHeights;
    final String description;

    private HostPlanes(Format format, int width, int height, MemorySegment[] planes, int[] pitches, int[] planeWidths,
                       int[] planeHeights, String description) {
        this.format = format;
        this.width = width;
        this.height = height;
        this.planes = planes;
        this.pitches = pitches;
        this.planeWidths = planeWidths;
        this.planeHeights = planeHeights;
        this.description = description;
    }

    /** A {@code width} x {@code height} picture in {@code format}, every plane filled as {@code fill}. */
    static HostPlanes random(Arena arena, Format format, int width, int height, Fill fill, Random random) {
        return create(arena, format, width, height, random, (p, x, y) -> switch (fill) {
            case NOISE -> random.nextInt(format.maxValue() + 1);
            case BLACK -> 0;
            case MAX -> format.maxValue();
            case DARK_RUNS -> (x / 13 + y) % 3 == 0
                    ? format.maxValue() - random.nextInt(format.maxValue() / 5 + 1)
                    : random.nextInt(format.maxValue() / 6 + 1);
            case LIMITS -> {
                int lo = 16 << (format.bitDepth - 8);
                int hi = (p == 0 ? 235 : 240) << (format.bitDepth - 8);
                yield switch (random.nextInt(8)) {
                    case 0 -> lo - 1;
                    case 1 -> hi + 1;
                    case 2, 3, 4 -> lo;
                    default -> hi;
                };
            }
            case BARS -> {
                int pw = p == 0 ? width : (width + 1) / 2;
                int ph = p == 0 ? height : (height + 1) / 2;
                boolean bar = y < ph / 7 || y >= ph - ph / 5 || x < pw / 9 || x >= pw - pw / 4;
                yield bar ? random.nextInt((int) (2 * 24.0 / 255 * format.maxValue()) + 1)
                        : random.nextInt(format.maxValue() + 1);
            }
            case BROADCAST -> random.nextInt(50) == 0
                    ? random.nextInt(format.maxValue() + 1)
                    : (16 << (format.bitDepth - 8))
                            + random.nextInt(((p == 0 ? 235 : 240) - 16 << (format.bitDepth - 8)) + 1);
        }, fill.name().toLowerCase());
    }

    /**
     * The same picture with its own pitches, each sample moved by up to {@code maxDelta} (clamped to the range), and,
     * for a shifted format, new garbage in the bits below the shift, which no statistic may read.
     */
    HostPlanes nearCopy(Arena arena, int maxDelta, Random random) {
        return create(arena, format, width, height, random, (p, x, y) -> {
            int delta = maxDelta == 0 ? 0 : random.nextInt(2 * maxDelta + 1) - maxDelta;
            return Math.clamp((long) sample(p, x, y) + delta, 0, format.maxValue());
        }, "copy of " + description + " within " + maxDelta);
    }

    int planeCount() {
        return format.planes;
    }

    /** Sample (x, y) of plane p, as the statistics define it: stored >> shift. */
    int sample(int p, int x, int y) {
        long at = (long) y * pitches[p] + (long) x * format.bytesPerSample;
        if (format.bytesPerSample == 1) {
            return planes[p].get(JAVA_BYTE, at) & 0xFF;
        }
        int stored = (planes[p].get(JAVA_BYTE, at) & 0xFF) | (planes[p].get(JAVA_BYTE, at + 1) & 0xFF) << 8;
        return stored >>> format.shift;
    }

    long samples(int p) {
        return (long) planeWidths[p] * planeHeights[p];
    }

    @Override
    public String toString() {
        return format + " " + width + "x" + height + " pitches " + java.util.Arrays.toString(pitches) + " ("
                + description + ")";
    }

    /** A picture drawn by {@code source} (plane, x, y in that plane's samples; interleaved chroma: U at even x). */
    static HostPlanes drawn(Arena arena, Format format, int width, int height, Random random, SampleSource source,
                            String description) {
        return create(arena, format, width, height, random, source, description);
    }

    @FunctionalInterface
    interface SampleSource {
        int value(int plane, int x, int y);
    }

    private static HostPlanes create(Arena arena, Format format, int width, int height, Random random,
                                     SampleSource source, String description) {
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        int n = format.planes;
        MemorySegment[] planes = new MemorySegment[n];
        int[] pitches = new int[n];
        int[] widths = new int[n];
        int[] heights = new int[n];
        for (int p = 0; p < n; p++) {
            widths[p] = p == 0 ? width : format.interleaved ? 2 * chromaWidth : chromaWidth;
            heights[p] = p == 0 ? height : chromaHeight;
            int rowBytes = widths[p] * format.bytesPerSample;
            pitches[p] = random.nextBoolean()
                    ? (rowBytes + 15) / 16 * 16 + 16 * random.nextInt(3)
                    : rowBytes + random.nextInt(41);
            long bytes = (long) pitches[p] * (heights[p] - 1) + rowBytes;
            MemorySegment plane = arena.allocate(bytes, 256);
            for (long i = 0; i < bytes; i++) {
                plane.set(JAVA_BYTE, i, (byte) random.nextInt(256)); // the padding keeps this garbage
            }
            planes[p] = plane;
        }
        int lowBits = (1 << format.shift) - 1;
        for (int p = 0; p < n; p++) {
            for (int y = 0; y < heights[p]; y++) {
                for (int x = 0; x < widths[p]; x++) {
                    int value = source.value(p, x, y);
                    long at = (long) y * pitches[p] + (long) x * format.bytesPerSample;
                    if (format.bytesPerSample == 1) {
                        planes[p].set(JAVA_BYTE, at, (byte) value);
                    } else {
                        int stored = value << format.shift | random.nextInt(lowBits + 1);
                        planes[p].set(JAVA_BYTE, at, (byte) stored);
                        planes[p].set(JAVA_BYTE, at + 1, (byte) (stored >>> 8));
                    }
                }
            }
        }
        return new HostPlanes(format, width, height, planes, pitches, widths, heights, description);
    }
}
