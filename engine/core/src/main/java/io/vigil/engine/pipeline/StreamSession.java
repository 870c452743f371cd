package io.vigil.engine.pipeline;

import io.vigil.engine.alarm.AlarmTracker;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import io.vigil.engine.config.VigilConfig;
import io.vigil.ffi.AudioBlock;
import io.vigil.ffi.ByteTap;
import io.vigil.ffi.DecodeOptions;
import io.vigil.ffi.MediaException;
import io.vigil.engine.transport.TransportFeed;
import io.vigil.engine.transport.TsAnalyzer;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.MediaSink;
import io.vigil.ffi.ThumbnailWriter;
import io.vigil.ffi.VideoFrame;
import io.vigil.kernels.engine.StatisticsEngine;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One stream's pipeline. The caller's thread opens the input and decodes it ({@link #step}); a {@link FrameHandoff}
 * lends each frame to the stream's analysing thread, where the statistics, the detectors and the alarm tracker
 * (built once, from the config) turn it into events. The analysis outlives the input: a watching session
 * ({@link Builder#watching}) reopens a source that dropped, and every detector sees one timeline across the
 * reopenings (see {@link Timeline}); the {@code stall} detector, woken by the analysing thread every 200 ms, keeps
 * watching the wall clock while the source is down. {@link #finish} drains the analysis, resolves what still fires
 * and sums the stream up.
 *
 * <p>Listeners hear, on the analysing thread: a {@link Sample} of the key figures now and then (a service's live
 * charts), a JPEG of the picture now and then (its tile picture); with {@link Builder#thumbnails} every video alarm
 * gets a picture of the frame where it began ({@link StartFrames}).
 *
 * <p>Threads: one caller opens, steps, closes and finishes; {@link #abort} and the figures may be called from any.
 */
public final class StreamSession implements AutoCloseable {
    /** How the input is read, and so what the summary counts. */
    public enum Reading {
        /**
         * Once, from its start to its end or until it breaks (analyze, the bench): the summary gives the input's own
         * figures (the video frames decoded, the media time reached) and names a file as it was given (a URL, as
         * always, with its secrets masked).
         */
        ONCE,
        /**
         * For as long as it is watched (serve): reopened after a failure or, when live, an end; the summary counts the
         * video frames analysed and the end of the one timeline across reopenings.
         */
        WATCH
    }

    /** Arrival times by frame index; larger than the handoff's ring, so that an entry is read before it is reused. */
    private static final int ARRIVALS = 64;

    private final String stream;
    private final String input;
    private final InputAddress address;
    private final Reading reading;
    private final DecodeOptions decodeOptions;
    private final StatisticsEngine backend;
    private final Consumer<String> notices;
    private final Runnable inputStartedListener;
    private final long startedNanos = System.nanoTime();
    private final AlarmTracker tracker;
    private final StreamAnalyzer analyzer;
    private final Tap tap;
    private final FrameHandoff handoff;
    private final Feeder feeder = new Feeder();
    private final Timeline timeline = new Timeline();
    /** The transport stream checks' feed when {@code tr101290} runs on the stream, else null; and its analyser. */
    private final TransportFeed transport;
    private final TsAnalyzer transportAnalyzer;
    /** The packets of the last seconds and the alarms' clips cut from them, or null (see {@link Builder#clips}). */
    private final AlarmClips clips;
    /** When the decoder handed over each frame (by index) and audio block (by count): for frame-to-alarm latency. */
    private final long[] videoArrivalNanos = new long[ARRIVALS];
    private final long[] audioArrivalNanos = new long[ARRIVALS];

    private volatile MediaInput current;
    private volatile boolean aborted;
    private int inputsOpened;
    private boolean hardwareNoted;
    /** Whether the current input has delivered a frame (or audio block) yet. */
    private boolean inputStarted;
    private boolean decoderKnown;
    private volatile String decoder;
    private volatile long droppedFrames;
    // The figures of the inputs closed so far.
    private long closedFramesDecoded;
    private long closedAudioSamples;
    private volatile long closedDecodeErrors;
    private double closedPositionSeconds;

    private StreamSession(Builder b, InputAddress address) {
        this.stream = b.stream;
        this.input = b.input;
        this.address = address;
        this.reading = b.reading;
        this.backend = b.backend;
        this.notices = b.notices;
        this.inputStartedListener = b.inputStarted;
        // The decode target is the statistics backend's: NVDEC on its CUDA device, or the CPU.
        DecodeOptions decoding = new DecodeOptions(b.config.decodeThreads(), b.config.ioTimeout(), backend.decodeTarget());
        this.decodeOptions = b.guard == null ? decoding : decoding.withGuard(b.guard::refusal);
        boolean live = address.remote();
        this.tracker = new AlarmTracker(stream, b.events, live);
        String shownInput = reading == Reading.ONCE ? input : address.displayName();
        this.analyzer = StreamAnalyzer.create(b.config, tracker, live, backend,
                (detector, message) -> b.events.accept(new Event.Warning(stream, shownInput, detector, message)));
        Tap analysing = null;
        try {
            if (b.thumbnailDir != null) {
                StartFrames.create(b.config, b.thumbnailDir, stream, notices, backend).attach(analyzer, tracker);
            }
            analysing = new Tap(b);
            this.handoff = new FrameHandoff(analysing, stream, live, analysing::idle, analyzer::inputStarted);
        } catch (RuntimeException | Error e) {
            if (analysing != null) {
                analysing.close();
            }
            analyzer.close();
            throw e;
        }
        this.tap = analysing;
        this.transport = analyzer.transportFeed();
        this.transportAnalyzer = transport == null ? null : new TsAnalyzer(transport.limits(), transport);
        this.clips = b.clipSettings == null ? null : new AlarmClips(stream, b.clipSettings, b.clipWriter);
    }

    /**
     * A session for {@code stream} reading {@code input} (a path or URL), its detectors and decoding as
     * {@code config} says, video statistics on {@code backend}, events (alarms as they happen) to {@code events}.
     */
    public static Builder of(String stream, String input, VigilConfig config, StatisticsEngine backend,
                             EventSink events) {
        return new Builder(stream, input, config, backend, events);
    }

    /** How a session is made; {@link #start} builds the analysis and starts its thread. */
    public static final class Builder {
        private final String stream;
        private final String input;
        private final VigilConfig config;
        private final StatisticsEngine backend;
        private final EventSink events;
        private Reading reading = Reading.ONCE;
        private Path thumbnailDir;
        private Consumer<String> notices = note -> { };
        private Runnable inputStarted = () -> { };
        private long sampleEveryNanos;
        private Consumer<Sample> samples;
        private long pictureEveryNanos;
        private Consumer<byte[]> pictures;
        private InputGuard guard;
        private AlarmClips.Settings clipSettings;
        private java.util.concurrent.Executor clipWriter;

        private Builder(String stream, String input, VigilConfig config, StatisticsEngine backend, EventSink events) {
            this.stream = Objects.requireNonNull(stream, "stream");
            this.input = Objects.requireNonNull(input, "input");
            this.config = Objects.requireNonNull(config, "config");
            this.backend = Objects.requireNonNull(backend, "backend");
            this.events = Objects.requireNonNull(events, "events");
        }

        /** Watch the input ({@link Reading#WATCH}) rather than read it once. */
        public Builder watching() {
            reading = Reading.WATCH;
            return this;
        }

        /**
         * Each video alarm gets a JPEG of the frame where it began, written into {@code dir} (a writable folder, see
         * {@link StartFrames#prepare}); null: none.
         */
        public Builder thumbnails(Path dir) {
            thumbnailDir = dir;
            return this;
        }

        /**
         * Vets the input's URL at each open and every URL FFmpeg opens for it (playlists, segments, keys); a refused
         * one fails the open (or the read) with the guard's reason. Without one, FFmpeg's protocol whitelist for the
         * input's scheme is the only limit.
         */
        public Builder guard(InputGuard inputGuard) {
            guard = Objects.requireNonNull(inputGuard, "inputGuard");
            return this;
        }

        /**
         * Keeps the compressed packets of the last seconds in memory, for alarm clips cut on request
         * ({@link StreamSession#clips()}) and written on {@code writer}.
         */
        public Builder clips(AlarmClips.Settings settings, java.util.concurrent.Executor writer) {
            clipSettings = Objects.requireNonNull(settings, "settings");
            clipWriter = Objects.requireNonNull(writer, "writer");
            return this;
        }

        /** One-line notes for people (an input without video, say); not part of the contract. */
        public Builder notices(Consumer<String> notices) {
            this.notices = Objects.requireNonNull(notices, "notices");
            return this;
        }

        /** Called on the decoding thread when an input, opened or reopened, delivers its first frame. */
        public Builder onInputStarted(Runnable listener) {
            inputStarted = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Hands {@code listener} a {@link Sample} on the analysing thread at the first frame (or idle wake-up), then at
         * most every {@code everyNanos}.
         */
        public Builder samples(long everyNanos, Consumer<Sample> listener) {
            sampleEveryNanos = everyNanos;
            samples = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Hands {@code listener} a JPEG of the picture (320 px wide, made small on the GPU for device frames) on the
         * analysing thread at the first frame, then at most every {@code everyNanos}; after a failure, no more.
         */
        public Builder pictures(long everyNanos, Consumer<byte[]> listener) {
            pictureEveryNanos = everyNanos;
            pictures = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Builds the detectors, statistics and alarm tracker and starts the analysing thread; opens nothing yet.
         * Throws {@link InputException} when the input names a scheme vigil does not read.
         */
        public StreamSession start() {
            return new StreamSession(this, InputAddress.parse(input));
        }
    }

    /**
     * Opens the input (again, when watching: the timeline goes on where it was); the no-video and no-audio notices
     * follow. Throws {@link InputException} when it cannot be opened, or once {@link #abort}ed.
     */
    public void open() {
        if (current != null) {
            throw new IllegalStateException("the input is open; close it first");
        }
        if (reading == Reading.ONCE && inputsOpened > 0) {
            throw new IllegalStateException("a session that reads its input once opens it once");
        }
        inputsOpened++;
        MediaInput media;
        try {
            // Published before the open, so that an abort reaches an open waiting on a dead source.
            media = MediaInput.open(input, decodeOptions, this::opening);
        } catch (MediaException e) {
            current = null;
            throw new InputException(e.getMessage(), e);
        }
        current = media;
        inputStarted = false;
        decoderKnown = false;
        if (clips != null) {
            clips.opened(media);
        }
        if (media.tapped() && !"mpegts".equals(media.formatName()) && !"hls".equals(media.formatName())) {
            media.tapBytes(null); // not a transport stream: nothing to check
        }
        if (media.tapped() && media.rtpLost() >= 0) {
            transport.rtpLost(0); // an RTP input: its losses are counted, from none
        }
        if (analyzer.readsVideo() && !media.hasVideo()) {
            notices.accept(stream + ": no video stream, so the video detectors have nothing to check.");
        }
        if (analyzer.readsAudio() && !media.hasAudio()) {
            notices.accept(stream + ": no audio stream, so the audio detectors have nothing to check.");
        }
    }

    private void opening(MediaInput media) {
        current = media;
        if (transportAnalyzer != null) {
            transportAnalyzer.reset();
            transport.inputOpened();
            media.tapBytes(new ByteTap() {
                @Override
                public void bytes(long position, java.lang.foreign.MemorySegment data) {
                    try {
                        transportAnalyzer.accept(position, data);
                        transport.packetsRead(transportAnalyzer.packets());
                    } catch (RuntimeException e) {
                        failed(e);
                    }
                }

                @Override
                public void ingestChecked(long droppedDatagrams, long bufferedBytes) {
                    try {
                        transportAnalyzer.ingestChecked(droppedDatagrams, bufferedBytes);
                        transport.ingestChecked(droppedDatagrams);
                    } catch (RuntimeException e) {
                        failed(e);
                    }
                }

                @Override
                public void rtpLost(long packets) {
                    try {
                        // Lost before vigil, as UDP ingest drops are: the gap it leaves is no stream error.
                        transportAnalyzer.discontinuity();
                        transport.rtpLost(packets);
                    } catch (RuntimeException e) {
                        failed(e);
                    }
                }

                @Override
                public void segment(boolean breaksOff) {
                    if (breaksOff) {
                        transportAnalyzer.discontinuity();
                    }
                }

                private void failed(RuntimeException e) {
                    // Reading goes on without the checks; their detector hears of it and says so.
                    media.tapBytes(null);
                    transport.failed(e);
                }
            });
        }
        if (aborted) {
            media.abort();
        }
    }

    /**
     * Reads one packet of the open input and hands what it decodes to the analysis (a live input's video frames are
     * dropped, and counted, when the analysis falls behind). Returns false once the input has ended; throws
     * {@link InputException} when it breaks off (or was aborted).
     */
    public boolean step() {
        MediaInput media = current;
        if (media == null) {
            throw new IllegalStateException("no input is open");
        }
        boolean more;
        try {
            more = media.step(feeder);
        } catch (MediaException e) {
            throw new InputException(e.getMessage(), e);
        }
        if (clips != null) {
            clips.stepped();
        }
        if (!decoderKnown && inputStarted) {
            decoderKnown = true;
            decoder = decoderOf(media);
        }
        if (more && !hardwareNoted && media.hardwareNote() != null) {
            hardwareNoted = true;
            notices.accept(stream + ": " + media.hardwareNote() + ".");
        }
        return more;
    }

    /** Closes the input (if one is open); its figures stay counted. The analysis goes on. */
    public void closeInput() {
        MediaInput media = current;
        current = null;
        if (media == null) {
            return;
        }
        closedFramesDecoded += media.videoFrames();
        closedAudioSamples += media.audioSamples();
        closedDecodeErrors += media.decodeErrors();
        closedPositionSeconds = media.positionSeconds();
        decoder = decoderOf(media);
        if (clips != null) {
            clips.inputClosed();
        }
        media.close();
    }

    /**
     * From any thread: makes the open or read in progress, and every later one, fail with {@link InputException}:
     * the way to stop watching a source that may be down.
     */
    public void abort() {
        aborted = true;
        MediaInput media = current;
        if (media != null) {
            media.abort();
        }
    }

    /**
     * Waits until everything handed over has been analysed, resolves every alarm still firing and returns the
     * stream's summary (for the caller to publish). Rethrows what the analysing thread threw.
     */
    public Event.Summary finish() {
        handoff.drain();
        analyzer.finish();
        double elapsedSeconds = (System.nanoTime() - startedNanos) / 1e9;
        boolean once = reading == Reading.ONCE;
        MediaInput media = current;
        String decodedOn = media != null ? decoderOf(media) : decoder;
        return new Event.Summary(stream, once && !address.remote() ? input : address.displayName(),
                once ? framesDecoded() : tap.framesAnalysed, audioSamples(),
                round(once ? positionSeconds() : timeline.endSeconds()), round(elapsedSeconds), analyzer.backend(),
                decodedOn == null ? "cpu" : decodedOn, decodeErrors(), handoff.droppedFrames(),
                new TreeMap<>(tracker.firedCounts()), analyzer.loudnessSummary(), transportSummary());
    }

    /**
     * The transport stream's figures so far (any thread), or null when tr101290 does not run or the input was no
     * transport stream.
     */
    public Event.Transport transportFigures() {
        return transportSummary();
    }

    /** The transport stream's figures, or null when tr101290 does not run or the input was no transport stream. */
    private Event.Transport transportSummary() {
        if (transport == null || transport.packets() == 0) {
            return null;
        }
        long drops = transport.ingestDrops();
        long lost = transport.rtpLost();
        return new Event.Transport(transport.packets(), transport.counts(), drops < 0 ? null : drops,
                lost < 0 ? null : lost);
    }

    private static String decoderOf(MediaInput media) {
        return media.decodingOnDevice() ? "nvdec" : "cpu";
    }

    /** The stream's alarm clips, or null when the session keeps no packets ({@link Builder#clips}). */
    public AlarmClips clips() {
        return clips;
    }

    /** Where the input lives. */
    public InputAddress address() {
        return address;
    }

    /** The backend that computes this stream's video statistics ("cpu" when none are needed). */
    public String backend() {
        return analyzer.backend();
    }

    /** "nvdec" or "cpu": how the input's video is decoded, once known; null before. */
    public String decoder() {
        return decoder;
    }

    /** Whether the input opened last has delivered a frame (or audio block) yet (the decoding thread's view). */
    public boolean inputStarted() {
        return inputStarted;
    }

    /** Video frames decoded, over every input. */
    public long framesDecoded() {
        MediaInput media = current;
        return closedFramesDecoded + (media != null ? media.videoFrames() : 0);
    }

    /** Video frames the detectors have seen. */
    public long framesAnalysed() {
        return tap.framesAnalysed;
    }

    /** Video frames of a live input dropped because the analysis was behind. */
    public long droppedFrames() {
        return droppedFrames;
    }

    /** Audio samples per channel decoded, over every input. */
    public long audioSamples() {
        MediaInput media = current;
        return closedAudioSamples + (media != null ? media.audioSamples() : 0);
    }

    /** Packets or frames the decoders rejected as damaged, over every input. */
    public long decodeErrors() {
        MediaInput media = current;
        return closedDecodeErrors + (media != null ? media.decodeErrors() : 0);
    }

    /** The media time the input opened last has reached, in its own time: the end of its last frame or block. */
    public double positionSeconds() {
        MediaInput media = current;
        return media != null ? media.positionSeconds() : closedPositionSeconds;
    }

    /** The open input's duration as its container declares it, 0 when unknown or none is open. */
    public double durationSeconds() {
        MediaInput media = current;
        return media != null ? media.info().durationSeconds() : 0;
    }

    /** The end of the last frame or audio block on the timeline across reopenings (the decoding thread's view). */
    public double timelineEndSeconds() {
        return timeline.endSeconds();
    }

    /**
     * On the analysing thread (where alarms fire): seconds since the decoder handed over the frame or audio block
     * under analysis now, the frame-to-alarm latency of an alarm it raises; NaN between frames.
     */
    public double frameAgeSeconds() {
        return tap.inFrame ? (System.nanoTime() - tap.frameArrivalNanos) / 1e9 : Double.NaN;
    }

    /** Stops the analysing thread (after what was handed over), closes the input and frees the analysis. */
    @Override
    public void close() {
        try {
            handoff.close();
        } finally {
            try {
                closeInput();
            } finally {
                tap.close();
                analyzer.close();
                if (clips != null) {
                    clips.close();
                }
            }
        }
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    @Override
    public String toString() {
        return "stream " + stream + " (" + address.displayName() + ")";
    }

    /** The decoding side: notes when each frame arrived and places it on the timeline. */
    private final class Feeder implements MediaSink {
        private long audioHandedOver;

        @Override
        public void onVideo(VideoFrame frame) {
            long now = begin(frame.ptsSeconds());
            videoArrivalNanos[(int) (frame.index() & (ARRIVALS - 1))] = now;
            handoff.onVideo(frame);
            droppedFrames = handoff.droppedFrames();
            timeline.reached(frame.ptsSeconds() + frame.durationSeconds(), now);
        }

        @Override
        public void onAudio(AudioBlock block) {
            long now = begin(block.ptsSeconds());
            audioArrivalNanos[(int) (audioHandedOver++ & (ARRIVALS - 1))] = now;
            handoff.onAudio(block);
            timeline.reached(block.endSeconds(), now);
        }

        private long begin(double ptsSeconds) {
            long now = System.nanoTime();
            if (!inputStarted) {
                inputStarted = true;
                double offsetSeconds = timeline.inputStarted(ptsSeconds, now);
                if (transport != null) {
                    MediaInput media = current;
                    transport.mapped(media == null ? Double.NaN : media.originSeconds(), offsetSeconds);
                }
                handoff.inputStarted(offsetSeconds);
                if (clips != null) {
                    MediaInput media = current;
                    clips.inputStarted(offsetSeconds, media == null ? Double.NaN : media.originSeconds());
                }
                inputStartedListener.run();
            }
            return now;
        }
    }

    /** The analysing side: the detectors, the counts, and the listeners' samples and pictures. */
    private final class Tap implements MediaSink {
        private final long sampleEveryNanos;
        private final Consumer<Sample> samples;
        private final long pictureEveryNanos;
        private final Consumer<byte[]> pictures;
        /** Makes the pictures; null without a picture listener. */
        private final ThumbnailWriter pictureWriter;
        private volatile long framesAnalysed;
        private long audioAnalysed;
        private long frameArrivalNanos;
        private boolean inFrame;
        private double lastMediaSeconds;
        private long nextSampleNanos;
        private long nextPictureNanos;
        private boolean pictureFailed;

        Tap(Builder b) {
            sampleEveryNanos = b.sampleEveryNanos;
            samples = b.samples;
            pictureEveryNanos = b.pictureEveryNanos;
            pictures = b.pictures;
            pictureWriter = pictures != null ? new ThumbnailWriter() : null;
        }

        @Override
        public void onVideo(VideoFrame frame) {
            frameArrivalNanos = videoArrivalNanos[(int) (frame.index() & (ARRIVALS - 1))];
            inFrame = true;
            try {
                analyzer.onVideo(frame);
            } finally {
                inFrame = false;
            }
            framesAnalysed++;
            lastMediaSeconds = frame.ptsSeconds();
            if (samples == null && pictures == null) {
                return;
            }
            long now = System.nanoTime();
            if (pictures != null && now >= nextPictureNanos && !pictureFailed) {
                nextPictureNanos = now + pictureEveryNanos;
                try {
                    pictures.accept(backend.thumbnail(frame, pictureWriter));
                } catch (RuntimeException e) {
                    // One failure is enough to know: the stream goes on without a picture.
                    pictureFailed = true;
                }
            }
            maybeSample(now);
        }

        @Override
        public void onAudio(AudioBlock block) {
            frameArrivalNanos = audioArrivalNanos[(int) (audioAnalysed++ & (ARRIVALS - 1))];
            inFrame = true;
            try {
                analyzer.onAudio(block);
            } finally {
                inFrame = false;
            }
            if (framesAnalysed == 0) {
                lastMediaSeconds = block.ptsSeconds();
            }
            if (samples != null) {
                maybeSample(System.nanoTime());
            }
        }

        /** No frame came for a while: the wall-clock detectors (stall) look at the time. */
        void idle(long nowNanos) {
            analyzer.onIdle(nowNanos);
            if (samples != null) {
                maybeSample(nowNanos);
            }
        }

        private void maybeSample(long now) {
            if (samples == null || now < nextSampleNanos) {
                return;
            }
            nextSampleNanos = now + sampleEveryNanos;
            Map<String, Double> figures = new HashMap<>();
            analyzer.sample(figures);
            samples.accept(new Sample(now, lastMediaSeconds, framesAnalysed, figures));
        }

        void close() {
            if (pictureWriter != null) {
                pictureWriter.close();
            }
        }
    }
}
