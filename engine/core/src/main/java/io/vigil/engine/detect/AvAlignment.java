package io.vigil.engine.detect;

/**
 * The offset between a stream's audio and video timelines, measured on what is presented together: {@code av_drift}'s
 * measurement, apart from its alarm. Fed every video frame and audio block in arrival order; {@link #onVideo}
 * returns the offset at that frame, or NaN where nothing can be judged.
 *
 * <p>Each timeline has an origin, where it would have begun had it run without a break. The video's is its first
 * frame's time; the audio's is each block's time minus the audio played before it (its sample clock), so that audio
 * timestamps that drift against the samples, or step back over audio already played, move it. A forward gap in
 * either timeline moves neither: it is content that is missing (lost packets, an outage, frames a decoder or a
 * late analysis dropped), and what follows it is presented at its own time. A backward jump of more than
 * {@link #SPLICE_SECONDS} (a restarted or looped source) moves the origin of the timeline that made it. The raw
 * offset, audio origin minus video origin, is judged against a baseline taken where the two timelines are first
 * presented together (the anchor):
 * <ul>
 *   <li>at the start of an input that begins with a decodable picture (a programme start) the baseline is zero, so
 *   an audio track that starts after the first picture is late by that much ({@code -itsoffset 0.3}: +300 ms).
 *   Audio that starts before the first picture is played alone and not judged: a file cut from a running stream
 *   ({@code -ss} with {@code -c copy}) starts its pictures at the next keyframe, which reads exactly as audio muxed
 *   early. The lead is kept: an audio track that also ends that much before the video, by more than a muxer's
 *   interleaving, was shifted as a whole, not cut ({@link #shiftedFromTheStart});</li>
 *   <li>at the start of an input whose first picture came after video the decoder could not decode (a live source
 *   joined, or reconnected, between keyframes; a recording that began mid-GOP), and after a discontinuity of both
 *   timelines (both jumping back within {@link #PAIRING_SECONDS} of each other: a restarted source), the baseline
 *   is the raw offset at the first picture presented with audio: where a join starts tells nothing of how the
 *   source is aligned;</li>
 *   <li>one timeline jumping back alone moves the offset: while the jump waits for its pair nothing is judged, and
 *   if none comes the offset counts from the jump ({@link #judgedSinceSeconds}).</li>
 * </ul>
 * No video frame is judged while the audio has stopped ({@link #STOPPED_SECONDS} of pictures without a block):
 * nothing is presented together then.
 */
final class AvAlignment {
    /** A backward timestamp jump larger than this is a restart or a loop, not audio stepping over itself. */
    static final double SPLICE_SECONDS = 0.5;
    /** Both timelines jumping back within this much media of each other is one discontinuity, not an offset. */
    static final double PAIRING_SECONDS = 1.0;
    /**
     * The audio brought nothing while this much video played: it has stopped. Above the interleaving of a muxer (an
     * MPEG-TS audio packet spans up to 0.35 s; other containers interleave within a second).
     */
    static final double STOPPED_SECONDS = 2.0;
    /**
     * How far a muxer may carry audio ahead of the video it goes with: ffmpeg's MPEG-TS muxer packs audio into PES
     * packets of up to 2930 bytes (0.18 s of 128 kb/s audio), so a file cut at a keyframe can begin, and end, with
     * audio that much ahead. A lead within it is never taken for a shift.
     */
    static final double INTERLEAVE_SECONDS = 0.2;

    private enum Timeline { NONE, VIDEO, AUDIO }

    /** One input's pictures: where they would have begun, where the next is due, where they began. */
    private static final class Pictures {
        double origin = Double.NaN;
        double expected = Double.NaN;
        double first = Double.NaN;
        /** The first picture came after video the decoder could not decode: the input was joined mid-GOP. */
        boolean joinedMidGop;
    }

    /** One input's sound: its sample clock's origin, the audio played, where the next block is due, where it began. */
    private static final class Sound {
        double origin = Double.NaN;
        double played;
        double expected = Double.NaN;
        double first = Double.NaN;
    }

    private Pictures video = new Pictures();
    private Sound audio = new Sound();
    /** Video played since the last audio block arrived. */
    private double videoSinceAudio;

    /** Whether the baseline is the raw offset at the first pair (a join), not zero (a programme start). */
    private boolean joined;
    private double baseline = Double.NaN;
    private double anchorSeconds = Double.NaN;
    /** At a programme start: how far the audio began ahead of the first picture (not judged). */
    private double leadSeconds;

    private Timeline jumped = Timeline.NONE;
    private double jumpedPlayed;
    private double jumpVideoSeconds = Double.NaN;
    private double judgedSince = Double.NaN;

    /** An input begins: the first, or a reopening. Nothing of the one before bears on how this one is aligned. */
    void inputStarted() {
        video = new Pictures();
        audio = new Sound();
        videoSinceAudio = 0;
        jumped = Timeline.NONE;
        reanchor(false);
    }

    void onAudio(double ptsSeconds, double endSeconds) {
        double length = endSeconds - ptsSeconds;
        if (!Double.isNaN(audio.expected)) {
            double step = ptsSeconds - audio.expected;
            if (step >= length / 2) {
                // Audio missing (a lost packet, an outage): what follows plays at its own time.
                audio.played += step;
            } else if (step < -SPLICE_SECONDS) {
                jump(Timeline.AUDIO, video.expected);
            }
        }
        videoSinceAudio = 0;
        if (Double.isNaN(audio.first)) {
            audio.first = ptsSeconds;
        }
        audio.origin = ptsSeconds - audio.played;
        audio.played += length;
        audio.expected = endSeconds;
        waitForPair(Timeline.AUDIO, length);
    }

    /**
     * A video frame; {@code skippedBeforeSeconds}: on an input's first frame, how much earlier video the decoder was
     * given and could not decode. Returns the offset in seconds (audio minus video, positive when the sound comes
     * late), or NaN where nothing is judged (no audio yet or any more, a jump waiting for its pair).
     */
    double onVideo(double ptsSeconds, double durationSeconds, double skippedBeforeSeconds) {
        if (Double.isNaN(video.origin)) {
            video.origin = ptsSeconds;
            video.first = ptsSeconds;
            video.joinedMidGop = skippedBeforeSeconds > 0;
        } else if (ptsSeconds - video.expected < -SPLICE_SECONDS) {
            video.origin += ptsSeconds - video.expected;
            jump(Timeline.VIDEO, ptsSeconds);
        }
        video.expected = ptsSeconds + durationSeconds;
        if (!Double.isNaN(audio.origin)) {
            videoSinceAudio += durationSeconds;
        }
        waitForPair(Timeline.VIDEO, durationSeconds);
        if (Double.isNaN(audio.origin) || jumped != Timeline.NONE || audioStopped()) {
            return Double.NaN;
        }
        double raw = audio.origin - video.origin;
        if (Double.isNaN(baseline)) {
            anchor(ptsSeconds, raw);
        }
        return raw - baseline;
    }

    private void anchor(double ptsSeconds, double raw) {
        anchorSeconds = ptsSeconds;
        if (joined || video.joinedMidGop) {
            baseline = raw;
        } else if (audio.first < video.first) {
            // Audio before the first picture plays alone: judged from the picture on.
            baseline = raw;
            leadSeconds = video.first - audio.first;
        } else {
            baseline = 0;
        }
    }

    private void reanchor(boolean join) {
        joined = join;
        baseline = Double.NaN;
        anchorSeconds = Double.NaN;
        leadSeconds = 0;
    }

    /** One timeline jumped back; {@code videoSeconds}: the video time where an offset it makes would start. */
    private void jump(Timeline which, double videoSeconds) {
        if (jumped != Timeline.NONE && jumped != which) {
            // Both timelines jumped: a restarted or looped source, aligned afresh.
            jumped = Timeline.NONE;
            reanchor(true);
            return;
        }
        jumped = which;
        jumpedPlayed = 0;
        jumpVideoSeconds = videoSeconds;
    }

    private void waitForPair(Timeline which, double played) {
        if (jumped != which) {
            return;
        }
        jumpedPlayed += played;
        if (jumpedPlayed > PAIRING_SECONDS) {
            jumped = Timeline.NONE;
            judgedSince = jumpVideoSeconds;
        }
    }

    /**
     * Where an offset found at the frame just judged began, when earlier than that frame: at a lone jump that waited
     * for its pair. NaN otherwise; read once.
     */
    double judgedSinceSeconds() {
        double since = judgedSince;
        judgedSince = Double.NaN;
        return since;
    }

    /** Whether the audio has stopped while the pictures go on: nothing is presented together. */
    boolean audioStopped() {
        return videoSinceAudio > STOPPED_SECONDS;
    }

    /**
     * At the end of a file: the offset of an audio track that began ahead of the first picture (not judged, as a cut
     * reads the same) by more than the tolerance and a muxer's interleaving ({@link #INTERLEAVE_SECONDS}), and ended
     * as far ahead of the last, within {@code toleranceSeconds}: shifted as a whole, so muxed early. NaN when that is
     * not so, or when the alignment was taken afresh since the start.
     */
    double shiftedFromTheStart(double toleranceSeconds) {
        if (joined || !(leadSeconds > Math.max(toleranceSeconds, INTERLEAVE_SECONDS)) || Double.isNaN(audio.expected)
                || Double.isNaN(video.expected)) {
            return Double.NaN;
        }
        return Math.abs(video.expected - audio.expected - leadSeconds) <= toleranceSeconds ? -leadSeconds : Double.NaN;
    }

    /** The time of the picture the current baseline was taken at; NaN before it. */
    double anchorSeconds() {
        return anchorSeconds;
    }

    /** The end of the last video frame. */
    double videoEndSeconds() {
        return video.expected;
    }
}
