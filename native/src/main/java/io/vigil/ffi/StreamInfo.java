package io.vigil.ffi;

/**
 * What an opened input holds.
 *
 * @param container FFmpeg's demuxer name
 * @param durationSeconds the container's duration, NaN when unknown (live inputs)
 * @param video the video stream, or null
 * @param audio the audio stream, or null
 */
public record StreamInfo(String container, double durationSeconds, Video video, Audio audio) {

    /** The video stream picked for analysis. */
    public record Video(String codec, int width, int height, double frameRate, String pixelFormat) {
    }

    /** The audio stream picked for analysis. */
    public record Audio(String codec, int sampleRate, int channels) {
    }
}
