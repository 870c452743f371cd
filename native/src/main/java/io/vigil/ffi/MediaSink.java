package io.vigil.ffi;

/** Receives what {@link MediaInput} decodes. The frame and block are lent for the duration of the call only. */
public interface MediaSink {
    void onVideo(VideoFrame frame);

    void onAudio(AudioBlock block);
}
