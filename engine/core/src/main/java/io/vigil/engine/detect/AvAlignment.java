package io.vigil.engine.detect;

/**
 * The offset between a stream's audio and video timelines, measured on what is presented together: {@code av_drift}'s
 * measurement, apart from its alarm. Fed every video frame and audio block in arrival order; {@link #onVideo}
 * returns the offset at that frame, or NaN where nothing can be judged.
 *
 * <p>Each timeline has an origin: the video's is its first frame's time, moved by each jump of more than
 * {@link #SPLICE_SECONDS} (frames held, or dropped by a decoder or by an analysis that fell behind, do not move it);
 * the audio's is each block's time minus the audio played before it (its sample clock, so that a jump or a slow
 * drift of the audio timestamps against the samples moves it). The raw offset, audio origin minus video origin, is
 * judged against a baseline taken when the two timelines are first presented together (the anchor):
 * <ul>
 *   <li>at the start of a file (a programme start) the baseline is zero, so an audio track that starts after the
 *   first picture is late by that much ({@code -itsoffset 0.3}: +300 ms). Audio that starts before the first picture
 *   is played alone: a file cut from a running stream ({@code -ss} with {@code -c copy}, a recording that began
 *   mid-GOP) waits for a keyframe for its first picture, which reads exactly as audio muxed early. The anchor is the
 *   first picture, and the lead is kept: an audio track that also ends that much before the video
 *   ({@link #shiftedFromTheStart}) was shifted as a whole, not cut;</li>
 *   <li>a live input (each join and each reconnection), a discontinuity (both timelines jumping within
 *   {@link #PAIRING_SECONDS} of each other: a splice, a restarted source), and a timeline that resumes after
 *   {@link #STOPPED_SECONDS} without frames while the other played on (an audio or video outage): the baseline is
 *   the raw offset at the first picture presented with audio. What came before tells nothing of how this part is
 *   aligned, as a join starts wherever the source happened to be and a reconnection wherever the decoder found its
 *   next keyframe;</li>
 *   <li>one timeline jumping alone (audio timestamps that step against the samples, a video splice that leaves the
 *   audio running) moves the offset; while a jump waits for its pair nothing is judged, and if none comes within
 *   {@link #PAIRING_SECONDS} the offset counts from the jump ({@link #judgedSinceSeconds}).</li>
 * </ul>
 * No video frame is judged while the audio has stopped (more than {@link #STOPPED_SECONDS} of pictures without a
 * block): nothing is presented together then.
 */
final class AvAlignment {
    /** A video timestamp jump larger than this is a splice and moves the video origin. */
    static final double SPLICE_SECONDS = 0.5;
    /** Both timelines jumping within this much media of each other is one discontinuity, not an offset. */
    static final double PAIRING_SECONDS = 1.0;
    /**
     * A timeline that brought nothing while the other played this long has stopped: above the interleaving of a
     * muxer (an MPEG-TS audio packet spans up to 0.35 s; other containers interleave within a second).
     */
    static final double STOPPED_SECONDS = 2.0;

    private enum Timeline { NONE, VIDEO, AUDIO }

    private double videoOrigin = Double.NaN;
    private double videoExpected = Double.NaN;
    private long lastVideoIndex = -1;
    private double lastVideoDuration;
    private double videoEnd = Double.NaN;
    private double firstPicture = Double.NaN;

    private double audioOrigin = Double.NaN;
    private double audioPlayed;
    private double audioExpected = Double.NaN;
    private double audioEnd = Double.NaN;
    private double firstAudio = Double.NaN;

    /** Media played by one timeline since the other last brought something (arrival order). */
    private double videoSinceAudio;
    private double audioSinceVideo;

    /** The baseline is taken at the first pair (a join), not zero (a programme start). */
    private boolean joined;
    private double baseline = Double.NaN;
    private double anchorSeconds = Double.NaN;
    /** At a programme start: how far the audio began ahead of the first picture (not judged). */
    private double leadSeconds;
    /** Whether the current anchor is a programme start, not yet replaced by another. */
    private boolean programmeStart = true;

    private Timeline jumped = Timeline.NONE;
    private double jumpedPlayed;
    private double jumpVideoSeconds = Double.NaN;
    private double judgedSince = Double.NaN;

    /**
     * An input begins: the first, or a reopening. {@code joined}: it was joined while running (a live source), so
     * its start says nothing of how its audio and video are aligned.
     */
    void inputStarted(boolean joined) {
        videoOrigin = Double.NaN;
        videoExpected = Double.NaN;
        lastVideoIndex = -1;
        videoEnd = Double.NaN;
        firstPicture = Double.NaN;
        audioOrigin = Double.NaN;
        audioPlayed = 0;
        audioExpected = Double.NaN;
        audioEnd = Double.NaN;
        firstAudio = Double.NaN;
        videoSinceAudio = 0;
        audioSinceVideo = 0;
        jumped = Timeline.NONE;
        reanchor(joined);
    }

    void onAudio(double ptsSeconds, double endSeconds) {
        if (videoSinceAudio > STOPPED_SECONDS) {
            // The audio comes back after an outage: where its sample clock stands now tells nothing of the sync.
            reanchor(true);
        } else if (!Double.isNaN(audioExpected) && Math.abs(ptsSeconds - audioExpected) > SPLICE_SECONDS) {
            jump(Timeline.AUDIO, videoEnd);
        }
        videoSinceAudio = 0;
        if (Double.isNaN(firstAudio)) {
            firstAudio = ptsSeconds;
        }
        double played = endSeconds - ptsSeconds;
        audioOrigin = ptsSeconds - audioPlayed;
        audioPlayed += played;
        audioExpected = endSeconds;
        audioEnd = endSeconds;
        audioSinceVideo += played;
        waitForPair(Timeline.AUDIO, played);
    }

    /**
     * A video frame ({@code index}: its place in its input's decoded frames, so that a gap counts frames dropped
     * before the analysis): returns the offset in seconds (audio minus video, positive when the sound comes late),
     * or NaN where nothing is judged (no audio yet or any more, a jump waiting for its pair).
     */
    double onVideo(double ptsSeconds, double durationSeconds, long index) {
        boolean resumed = audioSinceVideo > STOPPED_SECONDS && !Double.isNaN(videoOrigin);
        if (Double.isNaN(videoOrigin)) {
            videoOrigin = ptsSeconds;
            if (Double.isNaN(firstPicture)) {
                firstPicture = ptsSeconds;
            }
        } else {
            double expected = videoExpected;
            if (lastVideoIndex >= 0 && index > lastVideoIndex + 1) {
                expected += (index - lastVideoIndex - 1) * lastVideoDuration;
            }
            if (Math.abs(ptsSeconds - expected) > SPLICE_SECONDS) {
                videoOrigin += ptsSeconds - expected;
                if (!resumed) {
                    jump(Timeline.VIDEO, ptsSeconds);
                }
            }
        }
        if (resumed) {
            // The pictures come back after an outage while the sound played on.
            reanchor(true);
        }
        audioSinceVideo = 0;
        videoExpected = ptsSeconds + durationSeconds;
        videoEnd = videoExpected;
        lastVideoIndex = index;
        lastVideoDuration = durationSeconds;
        if (!Double.isNaN(audioOrigin)) {
            videoSinceAudio += durationSeconds;
        }
        waitForPair(Timeline.VIDEO, durationSeconds);
        if (Double.isNaN(audioOrigin) || jumped != Timeline.NONE || videoSinceAudio > STOPPED_SECONDS) {
            return Double.NaN;
        }
        double raw = audioOrigin - videoOrigin;
        if (Double.isNaN(baseline)) {
            anchor(ptsSeconds, raw);
        }
        return raw - baseline;
    }

    private void anchor(double ptsSeconds, double raw) {
        anchorSeconds = ptsSeconds;
        if (joined) {
            baseline = raw;
        } else if (firstAudio < firstPicture) {
            // Audio before the first picture plays alone: judged from the picture on.
            baseline = raw;
            leadSeconds = firstPicture - firstAudio;
        } else {
            baseline = 0;
        }
    }

    private void reanchor(boolean join) {
        joined = join;
        programmeStart = !join;
        baseline = Double.NaN;
        anchorSeconds = Double.NaN;
        leadSeconds = 0;
    }

    /** One timeline jumped; {@code videoSeconds}: the video time where an offset it makes would start. */
    private void jump(Timeline which, double videoSeconds) {
        if (jumped != Timeline.NONE && jumped != which) {
            // Both timelines jumped: a splice or a restarted source, aligned afresh.
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

    /**
     * At the end of a file: the offset of an audio track that began ahead of the first picture (not judged, as a cut
     * reads the same) and ended as far ahead of the last, within {@code toleranceSeconds}: shifted as a whole, so
     * muxed early. NaN when that is not so, or the lead was within the tolerance.
     */
    double shiftedFromTheStart(double toleranceSeconds) {
        if (!programmeStart || !(leadSeconds > toleranceSeconds) || Double.isNaN(audioEnd) || Double.isNaN(videoEnd)) {
            return Double.NaN;
        }
        return Math.abs(videoEnd - audioEnd - leadSeconds) <= toleranceSeconds ? -leadSeconds : Double.NaN;
    }

    /** Whether the audio has stopped while the pictures go on: nothing is presented together. */
    boolean audioStopped() {
        return videoSinceAudio > STOPPED_SECONDS;
    }

    /** The time of the first picture of the current anchor; NaN before it. */
    double anchorSeconds() {
        return anchorSeconds;
    }

    /** The end of the last video frame. */
    double videoEndSeconds() {
        return videoEnd;
    }
}
