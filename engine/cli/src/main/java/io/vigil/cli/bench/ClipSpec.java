package io.vigil.cli.bench;

import java.util.Locale;

/**
 * What the bench's streams carry: picture size, video codec, frame rate.
 *
 * @param codec h264, hevc or mpeg2
 */
public record ClipSpec(int width, int height, String codec, int fps) {
    /** The codecs the bench makes clips in. */
    public static final java.util.List<String> CODECS = java.util.List.of("h264", "hevc", "mpeg2");

    public ClipSpec {
        if (width < 16 || height < 16 || width > 8192 || height > 8192 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("the size must be even, 16 to 8192 pixels each way, got " + width
                    + "x" + height);
        }
        if (!CODECS.contains(codec)) {
            throw new IllegalArgumentException("the codec must be one of " + String.join(", ", CODECS) + ", got "
                    + codec);
        }
        if (fps < 1 || fps > 120) {
            throw new IllegalArgumentException("the frame rate must be 1 to 120, got " + fps);
        }
    }

    /** Parses "1920x1080". */
    public static ClipSpec of(String size, String codec, int fps) {
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        if (wh.length != 2) {
            throw new IllegalArgumentException("the size must be WIDTHxHEIGHT such as 1920x1080, got " + size);
        }
        try {
            return new ClipSpec(Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()),
                    codec.toLowerCase(Locale.ROOT), fps);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the size must be WIDTHxHEIGHT such as 1920x1080, got " + size);
        }
    }

    public String size() {
        return width + "x" + height;
    }

    /**
     * The video bit rate a broadcaster would give this picture (bits per pixel per frame: H.264 0.13, HEVC 0.07,
     * MPEG-2 0.25, about 8, 4 and 15 Mbit/s at 1080p30), at least 200 kbit/s.
     */
    long videoBitsPerSecond() {
        double bitsPerPixel = switch (codec) {
            case "hevc" -> 0.07;
            case "mpeg2" -> 0.25;
            default -> 0.13;
        };
        return Math.max(200_000, Math.round((double) width * height * fps * bitsPerPixel));
    }

    @Override
    public String toString() {
        return size() + " " + codec + " " + fps + " fps";
    }
}
