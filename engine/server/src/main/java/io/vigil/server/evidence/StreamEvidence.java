package io.vigil.server.evidence;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.pipeline.AlarmClips;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One stream's evidence: puts the URLs of an alarm's start picture and clip into its events. On a firing alarm the
 * picture the analysis wrote (into the store's incoming folder) is moved into the store under a name of its own, and
 * the clip is asked of the stream's {@link AlarmClips}; its URL goes out at once, in the firing event, and answers
 * 503 until the post-roll is written. The resolved event repeats both URLs. A clip that cannot be written is a
 * {@code warning} event (the alarm is not held back).
 *
 * <p>Called on the stream's threads that publish (the analysing thread for its alarms); clip outcomes arrive on the
 * store's writer thread.
 */
public final class StreamEvidence {
    /** Alarms raised within this many seconds of one another share one clip (black and signal_loss at once). */
    private static final double SHARED_CLIP_SECONDS = 0.5;
    /** Pictures of the analysis (its incoming paths) already kept, and their URLs: black's, which signal_loss reuses. */
    private static final int PICTURES_REMEMBERED = 8;

    private final String stream;
    private final String input;
    private final EvidenceStore store;
    private final Consumer<Event> warnings;
    /** The URLs of each firing alarm's evidence, by dedupKey (guarded by this). */
    private final Map<String, String[]> firing = new HashMap<>();
    private final LinkedHashMap<String, String> pictures = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > PICTURES_REMEMBERED;
        }
    };
    private double lastClipStart = Double.NaN;
    private String lastClipUrl;

    /** {@code warnings} hears a warning event for each clip that could not be written (from the writer thread). */
    public StreamEvidence(String stream, String input, EvidenceStore store, Consumer<Event> warnings) {
        this.stream = stream;
        this.input = input;
        this.store = store;
        this.warnings = warnings;
    }

    /** Where the analysis writes its start pictures (its {@code thumbnails} folder). */
    public Path pictures() {
        return store.incoming();
    }

    /** The clip settings for the stream's session, or null when alarms get no clips. */
    public AlarmClips.Settings clipSettings() {
        EvidenceSettings s = store.settings();
        return s.clips() ? new AlarmClips.Settings(s.preSeconds(), s.postSeconds(), s.bufferSeconds(), s.bufferBytes())
                : null;
    }

    /** What clips are written on. */
    public java.util.concurrent.Executor clipWriter() {
        return store.writer();
    }

    /**
     * {@code event} with its evidence's URLs: a firing alarm's picture kept and clip asked of {@code clips} (null: the
     * stream keeps no packets now); a resolved alarm with its firing event's URLs. Other events pass unchanged.
     */
    public synchronized Event annotate(Event event, AlarmClips clips) {
        if (!(event instanceof Event.Alarm alarm)) {
            return event;
        }
        if (!alarm.firing()) {
            String[] urls = firing.remove(alarm.dedupKey());
            if (urls != null) {
                return alarm.withEvidence(urls[0], urls[1]);
            }
            return alarm.thumbnail() != null && isIncoming(alarm.thumbnail()) ? alarm.withEvidence(null, alarm.clip())
                    : alarm;
        }
        String stem = store.uniqueStem(alarm.dedupKey() + "-" + Math.round(alarm.start() * 1000));
        String picture = keepPicture(alarm.thumbnail(), stem);
        String clip = clips == null ? null : clip(alarm, clips, stem);
        firing.put(alarm.dedupKey(), new String[] {picture, clip});
        return alarm.withEvidence(picture, clip);
    }

    private String keepPicture(String written, String stem) {
        if (written == null || !isIncoming(written)) {
            return null;
        }
        String kept = pictures.get(written);
        if (kept == null) {
            kept = store.keep(Path.of(written), stem + ".jpg");
            if (kept != null) {
                pictures.put(written, kept);
            }
        }
        return kept;
    }

    private boolean isIncoming(String path) {
        return Path.of(path).startsWith(store.incoming());
    }

    private String clip(Event.Alarm alarm, AlarmClips clips, String stem) {
        if (lastClipUrl != null && Math.abs(alarm.start() - lastClipStart) <= SHARED_CLIP_SECONDS) {
            return lastClipUrl;
        }
        Path file = clips.request(alarm.start(), store.dir().resolve(stem), outcome -> finished(alarm, outcome));
        if (file == null) {
            return null;
        }
        String name = file.getFileName().toString();
        store.expect(name, clips.settings().postSeconds());
        lastClipStart = alarm.start();
        lastClipUrl = store.url(name);
        return lastClipUrl;
    }

    private void finished(Event.Alarm alarm, AlarmClips.Outcome outcome) {
        String name = outcome.file().getFileName().toString();
        switch (outcome) {
            case AlarmClips.Written w -> store.written(name);
            case AlarmClips.Failed f -> {
                store.failed(name, f.reason());
                warnings.accept(new Event.Warning(stream, input, alarm.detector(), "The clip of alarm "
                        + alarm.dedupKey() + " at " + alarm.start() + " s was not kept: " + f.reason() + "."));
            }
        }
    }
}
