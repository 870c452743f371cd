package io.vigil.engine.config;

import io.vigil.engine.alarm.Severity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Every detector's default settings, FFmpeg's where FFmpeg has the same detector (blackdetect d=2 pic_th=0.98
 * pix_th=0.10; freezedetect n=-60dB d=2; silencedetect n=-60dB d=2). The README's table is this one.
 */
public final class Defaults {
    private Defaults() {
    }

    /** The detectors this version implements, in display order. */
    public static final List<String> DETECTORS = List.of("black", "freeze", "silence", "discontinuity",
            "signal_loss", "loudness", "channel_loss", "clipping", "phase", "dc_offset",
            "stall", "av_drift", "corruption", "flash", "brng", "letterbox",
            "blockiness", "colorbars", "blur");

    /** The names the output contract reserves for detectors that later versions add. */
    public static final List<String> RESERVED = List.of();

    public static SequencedMap<String, DetectorSettings> detectors() {
        SequencedMap<String, DetectorSettings> d = new LinkedHashMap<>();
        d.put("black", new DetectorSettings("black", true, 2.0, 0.0, Severity.CRITICAL,
                Map.of("pictureThreshold", 0.98, "pixelThreshold", 0.10)));
        d.put("freeze", new DetectorSettings("freeze", true, 2.0, 0.0, Severity.CRITICAL,
                Map.of("noise", "-60dB", "ignoreWithSound", false)));
        d.put("silence", new DetectorSettings("silence", true, 2.0, 0.0, Severity.ERROR, Map.of("noise", "-60dB")));
        // A jump is an event: raised at once, resolved once 2 s pass without another.
        d.put("discontinuity", new DetectorSettings("discontinuity", true, 0.0, 2.0, Severity.WARNING,
                Map.of("toleranceSeconds", 0.5)));
        // Black and silence together: raised as soon as both have (their own delays apply); no parameters.
        d.put("signal_loss", new DetectorSettings("signal_loss", true, 0.0, 0.0, Severity.CRITICAL, Map.of()));
        // EBU R 128: short-term loudness within target +-tolerance LU (10 s to raise: longer than a loud moment;
        // 3 s, one short-term window, to clear), true peak at most -1 dBTP (an over raises at once).
        d.put("loudness", new DetectorSettings("loudness", true, 10.0, 3.0, Severity.WARNING,
                Map.of("target", -23.0, "tolerance", 5.0, "truePeakCeiling", -1.0)));
        // One channel silent (silencedetect's -60 dB, alone) while another sounds, for silence's 2 s.
        d.put("channel_loss", new DetectorSettings("channel_loss", true, 2.0, 0.0, Severity.ERROR,
                Map.of("noise", "-60dB")));
        // Clip events (3 consecutive samples within 0.01 dB of full scale: the classic "over") at least once in
        // every 1 s window for 2 s: one clipped peak, or a few, never raises it.
        d.put("clipping", new DetectorSettings("clipping", true, 2.0, 0.0, Severity.WARNING,
                Map.of("level", "-0.01dB", "minRun", 3.0, "eventsPerSecond", 1.0)));
        // Channels 0 and 1: correlation over 400 ms below -0.3 (well clear of wide stereo near 0), both above -50 dBFS.
        d.put("phase", new DetectorSettings("phase", true, 2.0, 0.0, Severity.WARNING,
                Map.of("correlation", -0.3, "level", "-50dB")));
        // Mean over 1 s beyond 1% of full scale (-40 dBFS): far above what programme leaves in a 1 s mean.
        d.put("dc_offset", new DetectorSettings("dc_offset", true, 2.0, 0.0, Severity.WARNING,
                Map.of("level", "-40dB")));
        // No new frame for 5 s of wall clock (the timeout is the raise delay; duration is not used): longer than a
        // live source's normal burstiness and an HLS segment fetch, well under the 10 s ioTimeout that calls the
        // input broken. Resolved at the first frame that comes again.
        d.put("stall", new DetectorSettings("stall", true, 0.0, 0.0, Severity.CRITICAL,
                Map.of("timeoutSeconds", 5.0)));
        // Audio and video timelines more than 100 ms apart, either way, for 2 s: above the slack of normal muxing
        // (an audio frame of 21-32 ms, a video frame of 17-40 ms), within what viewers notice (ITU-R BT.1359:
        // detectable at +45/-125 ms; EBU R37 asks for +40/-60 ms end to end).
        // Decoder-reported damage is certain: raised at once, resolved after 2 s without more.
        d.put("corruption", new DetectorSettings("corruption", true, 0.0, 2.0, Severity.ERROR, Map.of()));
        // BT.1702: more than three opposing changes of 20 cd/m2 within one second; the condition spans that second.
        d.put("flash", new DetectorSettings("flash", true, 0.0, 1.0, Severity.WARNING,
                Map.of("changeCdm2", 20.0, "maxOpposingChanges", 3.0)));
        // signalstats BRNG: more than 10% of the pixels outside broadcast range (16..235 Y, 16..240 U/V) for 2 s.
        // Legal pictures are not at 0: SMPTE HD bars (PLUGE, super-white) give 1.7%, and lossy coding overshoots at
        // saturated edges (testsrc2 320x240 through x264: up to 8% of pixels, at 720p 1.7%). A range mix-up (full
        // range sent as limited) or an illegal graphic puts whole areas out, well above 10%. Off unless asked for:
        // EBU R 103 tolerates -1%..103% (Y 5..246), so grain in a dark scene below 16 (a quarter of its pixels) is
        // legal yet counted by BRNG, and a default-on warning there would be a false alarm.
        d.put("brng", new DetectorSettings("brng", false, 2.0, 0.0, Severity.WARNING, Map.of("threshold", 0.1)));
        // cropdetect's bars (rows/columns whose mean luma is at most 24/255), established over the first 2 s in which
        // they hold still; bars that then appear, go or move by more than 8 rows (columns) on both opposing sides, the
        // same way, for 2 s: a programme letterboxed from the start is its format, and a dark area reaching one edge
        // moves one side only.
        d.put("letterbox", new DetectorSettings("letterbox", true, 2.0, 0.0, Severity.WARNING,
                Map.of("toleranceRows", 8.0, "establishSeconds", 2.0, "limit", 24.0 / 255)));
        // Blocking at the 8x8 grid (Blockiness: mean small step across the grid over the mean elsewhere, 1 = none):
        // x264 at CRF 23 stays under 1.11 (mandelbrot, testsrc2), SMPTE HD bars 1.05; mpeg2video at 100 kb/s (640x360)
        // 1.2..2.6. Over 1.15 for 2 s. On: quiet on every other test clip.
        d.put("blockiness", new DetectorSettings("blockiness", true, 2.0, 0.0, Severity.WARNING,
                Map.of("threshold", 1.15)));
        // Test bars (ColorBars: the seven standard bars in order, at least 6 of 7 found): on, every other test clip
        // stays quiet. A still slate (still by freeze's noise, at least 90% of sampled luma steps within one code
        // value, at least 0.02% over 16: a plain field has none) is off unless asked for: a frozen graphic programme (testsrc2: 94% flat)
        // is one by this definition, and would turn those freezes into slates.
        d.put("colorbars", new DetectorSettings("colorbars", true, 2.0, 0.0, Severity.ERROR,
                Map.of("threshold", 0.85, "slate", false, "slateFlatness", 0.9, "slateEdges", 0.0002)));
        // Blur (Blur: mean width of the luma edges, pixels, blurdetect's meaning): sharp pictures 1..1.4 (testsrc2,
        // bars through x264), mandelbrot's smooth bands 3.6..4.2, testsrc2 upscaled 3x 2.7; testsrc2 blurred with
        // sigma 1 3.1, sigma 2 5.9, sigma 6 16 (blurdetect 17..19), the same with grain 14.5 (blurdetect 17.3).
        // Over 10 px for 2 s. On: quiet on every other test clip.
        d.put("blur", new DetectorSettings("blur", true, 2.0, 0.0, Severity.WARNING, Map.of("threshold", 10.0)));
        d.put("av_drift", new DetectorSettings("av_drift", true, 2.0, 0.0, Severity.ERROR,
                Map.of("toleranceSeconds", 0.1)));
        return d;
    }
}
