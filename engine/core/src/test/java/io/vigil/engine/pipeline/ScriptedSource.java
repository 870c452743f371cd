package io.vigil.engine.pipeline;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.StreamClock;
import io.vigil.engine.config.VigilConfig;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.AudioBlocks;
import io.vigil.ffi.VideoFrame;
import io.vigil.ffi.VideoFrames;
import io.vigil.kernels.cpu.CpuStatisticsEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A live source played out on a test's own clock through the real analysis, as a watching {@link StreamSession}
 * hands it over: {@link StreamAnalyzer} (statistics on the Java reference, every detector of the config, the alarm
 * tracker), frames in arrival order, one {@link Timeline} across reopenings, and a wake-up every
 * {@link FrameHandoff#IDLE_POLL_MILLIS} ms without a frame so that {@code stall} watches the clock. Pictures
 * (96x64) and sound (48 kHz stereo) are made in memory: minutes of outages, restarts and jumps take a moment.
 *
 * <p>Each item (video frame or audio block) arrives when the source has finished it: at its own end time after an
 * origin, audio shifted by the input's mux skew. Pauses, jumps and restarts move the origin or the timestamps.
 * Not thread-safe.
 */
final class ScriptedSource implements AutoCloseable {
    static final int WIDTH = 96;
    static final int HEIGHT = 64;
    static final double FRAME_SECONDS = 0.04;
    static final int RATE = 48_000;
    static final int BLOCK = 1024;
    static final double BLOCK_SECONDS = (double) BLOCK / RATE;
    static final long IDLE_POLL_NANOS = FrameHandoff.IDLE_POLL_MILLIS * 1_000_000L;
    private static final Instant EPOCH = Instant.parse("2026-12-06T10:00:00Z");
    private static final int MOVING_PICTURES = 5;

    enum Picture { MOVING, BLACK, FROZEN }

    enum Sound { TONE, SILENT }

    /** How the timestamps go on after a pause of a source that keeps its connection. */
    enum Resume {
        /** Where they stopped (a sender that held its frames back). */
        CONTINUOUS,
        /** Later by the pause (an encoder stamping frames with its wall clock). */
        WALL_CLOCK
    }

    /** One item handed to the analysis: when it arrived and where it lies on the analysis' timeline. */
    record Item(long arrivalNanos, boolean video, double startSeconds, double endSeconds) {
    }

    /** An event and the clock's time when the analysis sent it. */
    record Sent(long atNanos, Event event) {
    }

    /** The test's clock: moved only by the source. */
    static final class ManualClock implements StreamClock {
        private long nanos;

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public Instant now() {
            return EPOCH.plusNanos(nanos);
        }

        void set(long n) {
            nanos = Math.max(nanos, n);
        }
    }

    private final ManualClock clock = new ManualClock();
    private final Timeline timeline = new Timeline();
    private final AlarmTracker tracker;
    private final StreamAnalyzer analyzer;
    private final VideoFrame frame = new VideoFrame();
    private final AudioBlock block = new AudioBlock();
    private final float[][] samples = new float[2][BLOCK];
    private final byte[][] moving = new byte[MOVING_PICTURES][];
    private final byte[] frozen;
    private final byte[] black = new byte[WIDTH * HEIGHT];
    private final byte[] neutralChroma = new byte[WIDTH * HEIGHT / 4];
    private final byte[] noiseChroma;
    private final List<Sent> sent = new ArrayList<>();
    private final List<Item> items = new ArrayList<>();
    private final List<Long> idleTicks = new ArrayList<>();

    private Picture picture = Picture.MOVING;
    private Sound sound = Sound.TONE;
    /** The current input's own timestamps of its next video frame and audio block. */
    private double videoPts;
    private double audioPts;
    /** An item ending at own time t arrives at originNanos + t (audio also + skewNanos). */
    private long originNanos;
    private long skewNanos;
    private boolean inputFresh = true;
    private double offsetSeconds;
    private long lastProcessedNanos;
    private long frameIndex;
    private long toneSample;

    ScriptedSource(String stream, VigilConfig config, long pictureSeed) {
        tracker = new AlarmTracker(stream, e -> sent.add(new Sent(clock.nanoTime(), e)), true, clock);
        analyzer = StreamAnalyzer.create(config, tracker, true, CpuStatisticsEngine.reference(), (detector, message) -> {
            throw new AssertionError("a detector was switched off: " + message);
        });
        Random r = new Random(pictureSeed);
        for (int i = 0; i < MOVING_PICTURES; i++) {
            moving[i] = noise(r, WIDTH * HEIGHT, 40, 200);
        }
        frozen = noise(r, WIDTH * HEIGHT, 40, 200);
        noiseChroma = noise(r, WIDTH * HEIGHT / 4, 100, 156);
        java.util.Arrays.fill(black, (byte) 16);
        java.util.Arrays.fill(neutralChroma, (byte) 128);
    }

    private static byte[] noise(Random r, int n, int low, int high) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (low + r.nextInt(high - low + 1));
        }
        return b;
    }

    /**
     * A first input: own timestamps from {@code baseSeconds} (audio from {@code baseSeconds + audioLeadSeconds}),
     * audio handed over {@code skewSeconds} after its end (negative: before; the muxer's interleaving).
     */
    void begin(double baseSeconds, double audioLeadSeconds, double skewSeconds) {
        newInput(0, baseSeconds, audioLeadSeconds, skewSeconds);
    }

    /** {@code seconds} of the source's own time with this picture and sound, in real time. */
    void play(double seconds, Picture p, Sound s) {
        picture = p;
        sound = s;
        double until = videoPts + seconds;
        double audioUntil = audioPts + seconds;
        while (videoPts < until - 1e-9 || audioPts < audioUntil - 1e-9) {
            boolean videoDue = videoPts < until - 1e-9;
            boolean audioDue = audioPts < audioUntil - 1e-9;
            long videoAt = arrival(videoPts + FRAME_SECONDS, 0);
            long audioAt = arrival(audioPts + BLOCK_SECONDS, skewNanos);
            if (videoDue && (!audioDue || videoAt <= audioAt)) {
                video(videoAt);
            } else {
                audio(audioAt);
            }
        }
    }

    /** Sends nothing for {@code seconds}, the connection kept; then goes on as {@code resume} says. */
    void pause(double seconds, Resume resume) {
        long pause = nanos(seconds);
        if (resume == Resume.WALL_CLOCK) {
            videoPts += seconds;
            audioPts += seconds;
        } else {
            originNanos += pause;
        }
    }

    /** The timestamps jump by {@code seconds} (either way) with no gap on the wall clock: a splice. */
    void jump(double seconds) {
        videoPts += seconds;
        audioPts += seconds;
        originNanos -= nanos(seconds);
    }

    /**
     * The source goes down, for {@code downSeconds} after its last item, and comes back with its timestamps from
     * {@code baseSeconds}: through a reopened input (the timeline places it) or, {@code inPlace}, in the same input
     * (a source restarted faster than the read timeout: its timestamps simply jump). With {@code lateFrameSeconds >
     * 0} the next video frame, held back in the demuxer, arrives that long into the outage, before the input closes.
     */
    void restart(double downSeconds, double baseSeconds, double audioLeadSeconds, double skewSeconds,
                 double lateFrameSeconds, boolean inPlace) {
        long down = lastProcessedNanos;
        if (lateFrameSeconds > 0) {
            video(down + nanos(lateFrameSeconds));
        }
        if (inPlace) {
            videoPts = baseSeconds;
            audioPts = baseSeconds + audioLeadSeconds;
            skewNanos = nanos(skewSeconds);
            originNanos = down + nanos(downSeconds) - nanos(baseSeconds);
        } else {
            newInput(down + nanos(downSeconds), baseSeconds, audioLeadSeconds, skewSeconds);
        }
    }

    private void newInput(long startNanos, double baseSeconds, double audioLeadSeconds, double skewSeconds) {
        videoPts = baseSeconds;
        audioPts = baseSeconds + audioLeadSeconds;
        skewNanos = nanos(skewSeconds);
        originNanos = startNanos - nanos(Math.min(videoPts, audioPts));
        inputFresh = true;
    }

    /** The input ends {@code trailingSeconds} after its last item (a source that stopped, then was removed). */
    void finish(double trailingSeconds) {
        idleUntil(lastProcessedNanos + nanos(trailingSeconds));
        analyzer.finish();
    }

    private long arrival(double ownEndSeconds, long skew) {
        return Math.max(clock.nanoTime(), originNanos + nanos(ownEndSeconds) + skew);
    }

    private void video(long at) {
        idleUntil(at);
        clock.set(at);
        place(videoPts, at);
        byte[] y = switch (picture) {
            case MOVING -> moving[(int) (frameIndex % MOVING_PICTURES)];
            case FROZEN -> frozen;
            case BLACK -> black;
        };
        byte[] chroma = picture == Picture.BLACK ? neutralChroma : noiseChroma;
        double start = videoPts + offsetSeconds;
        VideoFrames.fill(frame, WIDTH, HEIGHT, y, chroma, chroma, start, FRAME_SECONDS, frameIndex++);
        analyzer.onVideo(frame);
        frame.release();
        timeline.reached(videoPts + FRAME_SECONDS, at);
        items.add(new Item(at, true, start, start + FRAME_SECONDS));
        videoPts += FRAME_SECONDS;
        lastProcessedNanos = at;
    }

    private void audio(long at) {
        idleUntil(at);
        clock.set(at);
        place(audioPts, at);
        for (int i = 0; i < BLOCK; i++) {
            float v = sound == Sound.SILENT ? 0f
                    : (float) (0.077 * Math.sin(2 * Math.PI * 997 * (toneSample + i) / RATE));
            samples[0][i] = v;
            samples[1][i] = v;
        }
        toneSample += BLOCK;
        double start = audioPts + offsetSeconds;
        AudioBlocks.fill(block, samples, BLOCK, RATE, start);
        analyzer.onAudio(block);
        timeline.reached(audioPts + BLOCK_SECONDS, at);
        items.add(new Item(at, false, start, start + BLOCK_SECONDS));
        audioPts += BLOCK_SECONDS;
        lastProcessedNanos = at;
    }

    /** The first item of an input: the timeline says where its timestamps go. */
    private void place(double ownStartSeconds, long at) {
        if (inputFresh) {
            inputFresh = false;
            offsetSeconds = timeline.inputStarted(ownStartSeconds, at);
        }
    }

    /** No item until {@code nanos}: the analysing thread wakes every poll interval, as FrameHandoff's does. */
    private void idleUntil(long nanos) {
        long tick = lastProcessedNanos + IDLE_POLL_NANOS;
        while (tick < nanos) {
            clock.set(tick);
            idleTicks.add(tick);
            analyzer.onIdle(tick);
            lastProcessedNanos = tick;
            tick += IDLE_POLL_NANOS;
        }
    }

    private static long nanos(double seconds) {
        return Math.round(seconds * 1e9);
    }

    List<Event> events() {
        return sent.stream().map(Sent::event).toList();
    }

    List<Sent> sent() {
        return sent;
    }

    List<Item> items() {
        return items;
    }

    List<Long> idleTicks() {
        return idleTicks;
    }

    @Override
    public void close() {
        frame.close();
        analyzer.close();
    }
}
