package io.vigil.ffi;

/**
 * Decides whether an input may open a URL: the input's own, and every one FFmpeg opens on its behalf (an HLS or DASH
 * playlist's variants, segments and keys, a concat list's entries), vetted in the format context's {@code io_open}
 * callback before FFmpeg connects anywhere.
 */
@FunctionalInterface
public interface OpenGuard {
    /**
     * Null when {@code url} (a URL or a file path, as FFmpeg was asked to open it) may be opened, else one sentence
     * saying why not. Called on the thread that reads the input, inside FFmpeg; must not throw.
     */
    String refusal(String url);
}
