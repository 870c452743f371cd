package io.vigil.engine.pipeline;

/**
 * Which URLs a stream's input may open: its own, when each open starts, and every one FFmpeg opens on its behalf (an
 * HLS or DASH playlist's variants, segments and keys), before FFmpeg connects. {@code vigil serve} checks its
 * {@code limits} here; {@code vigil analyze} opens what it is given.
 */
@FunctionalInterface
public interface InputGuard {
    /**
     * Null when {@code url} (a URL, or a file path) may be opened, else one sentence saying why not. Called on the
     * stream's decoding thread, inside FFmpeg; must not throw.
     */
    String refusal(String url);
}
