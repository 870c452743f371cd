package io.vigil.engine.pipeline;

import io.vigil.ffi.ClipRemux;
import io.vigil.ffi.FfmpegException;
import io.vigil.ffi.MediaInput;
import io.vigil.ffi.PacketRing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * One stream's alarm clips: the compressed packets of its last seconds kept in memory (a {@link PacketRing}, filled
 * on the decoding thread as the demuxer reads them), and, for each alarm that asks, a recording from
 * {@code preSeconds} before the alarm's start to {@code postSeconds} after the moment it fired, remuxed (never
 * re-encoded) by {@link ClipRemux} on the {@code writer} executor, never on the decoding or analysing thread.
 *
 * <p>A clip is cut once the input has read past its end, or when the input closes, or at a wall-clock deadline (a
 * source that stopped sending: the clip ends where its packets do). It starts on the last video keyframe at or
 * before its start, or on the earliest one held when the ring does not reach back that far. Packets of an input
 * that was closed are let go when the next one opens: a clip never spans two inputs.
 *
 * <p>Threads: the decoding thread calls the package-private hooks; {@link #request} may be called from any thread.
 */
public final class AlarmClips implements AutoCloseable {
    /** Seconds a clip waits for its post-roll beyond the time the post-roll itself takes to arrive. */
    private static final double DEADLINE_SLACK_SECONDS = 5;

    /**
     * @param preSeconds how long before the alarm's start a clip begins
     * @param postSeconds how long after the alarm fired a clip ends
     * @param bufferSeconds how much of the stream the memory keeps at most
     * @param bufferBytes how many bytes of packets the memory keeps at most
     */
    public record Settings(double preSeconds, double postSeconds, double bufferSeconds, long bufferBytes) {
        public Settings {
            if (!(preSeconds >= 0) || !(postSeconds >= 0) || !(bufferSeconds > 0) || bufferBytes <= 0) {
                throw new IllegalArgumentException("clip settings must be positive");
            }
        }
    }

    /** How a requested clip came out, told once, on the writer's thread. */
    public sealed interface Outcome {
        Path file();
    }

    /**
     * A clip written: {@code file} holds {@code bytes}; it covers {@code fromSeconds} to {@code toSeconds} of the
     * stream's timeline (the alarms' times).
     */
    public record Written(Path file, long bytes, double fromSeconds, double toSeconds) implements Outcome {
    }

    /** No clip: why, in a sentence. */
    public record Failed(Path file, String reason) implements Outcome {
    }

    private final String stream;
    private final Settings settings;
    private final Executor writer;
    private final PacketRing ring;
    /** Clips waiting for their post-roll (guarded by this). */
    private final List<Job> pending = new ArrayList<>();
    /** How the current input's own times map onto the timeline: timeline = own - origin + offset (guarded). */
    private double originSeconds = Double.NaN;
    private double offsetSeconds = Double.NaN;
    private boolean inputOpen;
    private boolean closed;

    /** One requested clip. */
    private static final class Job {
        final Path file;
        final double fromOwnSeconds;
        final double toOwnSeconds;
        final double originSeconds;
        final double offsetSeconds;
        final Consumer<Outcome> done;
        boolean claimed;

        Job(Path file, double fromOwnSeconds, double toOwnSeconds, double originSeconds, double offsetSeconds,
            Consumer<Outcome> done) {
            this.file = file;
            this.fromOwnSeconds = fromOwnSeconds;
            this.toOwnSeconds = toOwnSeconds;
            this.originSeconds = originSeconds;
            this.offsetSeconds = offsetSeconds;
            this.done = done;
        }
    }

    /** Clips of {@code stream} as {@code settings} say, written on {@code writer}. */
    public AlarmClips(String stream, Settings settings, Executor writer) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.ring = new PacketRing(settings.bufferBytes(), settings.bufferSeconds());
    }

    public Settings settings() {
        return settings;
    }

    /** Bytes of packets held in memory now. */
    public long bufferedBytes() {
        return ring.bytes();
    }

    /**
     * Asks for the clip of an alarm that began at {@code alarmStartSeconds} (timeline) and fires now: written to
     * {@code stem} plus ".mp4" (or ".ts" where MP4 cannot hold the codecs), returned at once; {@code done} hears
     * how it came out once the post-roll is in. Null (and {@code done} not called) when no packet is held yet; null
     * and {@code done} told why when no container holds the stream's codecs.
     */
    public Path request(double alarmStartSeconds, Path stem, Consumer<Outcome> done) {
        synchronized (this) {
            if (closed || Double.isNaN(offsetSeconds) || Double.isNaN(ring.newestSeconds())) {
                return null;
            }
        }
        String container = ring.container();
        if (container == null) {
            // Told outside the lock: the listener may publish, and publishing may ask for a clip.
            done.accept(new Failed(stem, "no clip: neither MP4 nor MPEG-TS can hold the stream's codecs"));
            return null;
        }
        Job ready;
        synchronized (this) {
            if (closed) {
                return null;
            }
            Path file = stem.resolveSibling(stem.getFileName() + (container.equals("mp4") ? ".mp4" : ".ts"));
            double startOwn = alarmStartSeconds - offsetSeconds + originSeconds;
            double firedOwn = Math.max(startOwn, ring.newestSeconds());
            Job job = new Job(file, startOwn - settings.preSeconds(), firedOwn + settings.postSeconds(),
                    originSeconds, offsetSeconds, done);
            if (inputOpen) {
                pending.add(job);
                double waitSeconds = job.toOwnSeconds - ring.newestSeconds() + DEADLINE_SLACK_SECONDS;
                Thread.ofVirtual().name("vigil-clip-deadline-" + stream).start(() -> atDeadline(job, waitSeconds));
                return file;
            }
            ready = job;
        }
        // The source is down: what is held is all there will be.
        cut(ready);
        return ready.file;
    }

    /** The decoding thread opened {@code media}: its packets go to the ring from now on. */
    void opened(MediaInput media) {
        synchronized (this) {
            if (closed) {
                return;
            }
            inputOpen = true;
            offsetSeconds = Double.NaN;
            originSeconds = Double.NaN;
        }
        media.tapPackets(ring);
    }

    /** The open input's first frame: its own time {@code originSeconds} is the timeline's {@code offsetSeconds}. */
    synchronized void inputStarted(double offsetSeconds, double originSeconds) {
        this.offsetSeconds = offsetSeconds;
        this.originSeconds = Double.isNaN(originSeconds) ? 0 : originSeconds;
    }

    /** After each packet read: the clips whose post-roll is in are cut. */
    void stepped() {
        List<Job> ready = null;
        synchronized (this) {
            if (pending.isEmpty()) {
                return;
            }
            double newest = ring.newestSeconds();
            for (Iterator<Job> it = pending.iterator(); it.hasNext(); ) {
                Job job = it.next();
                if (newest >= job.toOwnSeconds) {
                    it.remove();
                    (ready == null ? ready = new ArrayList<>() : ready).add(job);
                }
            }
        }
        if (ready != null) {
            ready.forEach(this::cut);
        }
    }

    /** The input closed: the waiting clips are cut from what is held. */
    void inputClosed() {
        List<Job> all;
        synchronized (this) {
            inputOpen = false;
            all = new ArrayList<>(pending);
            pending.clear();
        }
        all.forEach(this::cut);
    }

    /** Cuts the waiting clips from what is held, then lets the memory go; clips being written finish. */
    @Override
    public void close() {
        List<Job> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            all = new ArrayList<>(pending);
            pending.clear();
        }
        all.forEach(this::cut);
        synchronized (this) {
            closed = true;
            ring.close();
        }
    }

    private void atDeadline(Job job, double waitSeconds) {
        try {
            Thread.sleep(Math.max(1, Math.round(waitSeconds * 1000)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (!pending.remove(job)) {
                return;
            }
        }
        cut(job);
    }

    /** Takes the job's packets now (once) and hands the writing to the writer; tells outcomes outside the lock. */
    private void cut(Job job) {
        PacketRing.Snapshot clip;
        String failure = null;
        synchronized (this) {
            if (job.claimed) {
                return;
            }
            job.claimed = true;
            try {
                clip = closed ? null : ring.snapshot(job.fromOwnSeconds, job.toOwnSeconds);
            } catch (RuntimeException e) {
                clip = null;
                failure = "no clip: " + e.getMessage();
            }
        }
        if (failure != null) {
            job.done.accept(new Failed(job.file, failure));
            return;
        }
        if (clip == null) {
            job.done.accept(new Failed(job.file, "no clip: no keyframe or packet of the stream was held for it"));
            return;
        }
        PacketRing.Snapshot taken = clip;
        try {
            writer.execute(() -> write(job, taken));
        } catch (RejectedExecutionException e) {
            taken.close();
            job.done.accept(new Failed(job.file, "no clip: the service is shutting down"));
        }
    }

    private void write(Job job, PacketRing.Snapshot clip) {
        Path part = job.file.resolveSibling(job.file.getFileName() + ".part");
        Outcome outcome;
        String codecs = ClipRemux.codecs(clip);
        try (clip) {
            ClipRemux.write(clip, part);
            Files.move(part, job.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            double shift = job.offsetSeconds - job.originSeconds;
            outcome = new Written(job.file, Files.size(job.file), clip.firstSeconds() + shift,
                    clip.lastSeconds() + shift);
        } catch (FfmpegException | IllegalArgumentException | IOException e) {
            deleteQuietly(part);
            outcome = new Failed(job.file, "no clip: remuxing " + codecs + " failed: "
                    + e.getMessage());
        } catch (RuntimeException e) {
            deleteQuietly(part);
            outcome = new Failed(job.file, "no clip: " + e);
        }
        job.done.accept(outcome);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover part file is swept with the evidence folder
        }
    }
}
