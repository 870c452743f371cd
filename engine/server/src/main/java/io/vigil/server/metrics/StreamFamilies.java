package io.vigil.server.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.vigil.engine.alarm.Event;
import io.vigil.server.AlarmFigures;
import io.vigil.server.StreamRegistry;
import io.vigil.server.StreamStatus;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The streams' families: state and counts, alarms by detector and severity, TR 101 290, frame-to-alarm latency, and
 * the statistics operators graph (loudness, true peak, luma, frame difference...) as gauges. This process's streams
 * only (in a fleet every node is scraped, and each stream counts once); one series per stream and figure, never per
 * channel or PID (but tr101290's errors, by check and PID as before). A removed stream's series are gone at the next
 * scrape.
 */
final class StreamFamilies {
    /** A statistic the status carries (by its key) shown as a per-stream gauge. */
    record StatisticGauge(String key, String name, String help) {
    }

    /** The statistics shown as gauges, by their key in {@link StreamStatus#statistics()}. */
    static final List<StatisticGauge> STATISTICS = List.of(
            new StatisticGauge("momentaryLufs", "vigil_stream_loudness_momentary_lufs",
                    "Momentary loudness (400 ms, EBU R128), LUFS."),
            new StatisticGauge("shortTermLufs", "vigil_stream_loudness_short_term_lufs",
                    "Short-term loudness (3 s, EBU R128), LUFS."),
            new StatisticGauge("truePeakDbtp", "vigil_stream_true_peak_dbtp",
                    "True peak of the last loudness step (100 ms, loudest channel), dBTP."),
            new StatisticGauge("rmsDbfs", "vigil_stream_audio_rms_dbfs",
                    "RMS level of the last audio block (loudest channel), dBFS."),
            new StatisticGauge("lumaMean", "vigil_stream_luma_mean",
                    "Mean luma of the last video frame (8-bit code values, 16..235 in broadcast range)."),
            new StatisticGauge("darkFraction", "vigil_stream_dark_ratio",
                    "Share of the last frame's pixels that are dark (0..1)."),
            new StatisticGauge("mafd", "vigil_stream_frame_difference",
                    "Mean absolute difference between the last two frames' luma (0 for a frozen picture)."),
            new StatisticGauge("blockiness", "vigil_stream_blockiness",
                    "Blockiness of the last frame (compression artefacts; higher is blockier)."));

    private final StreamRegistry registry;
    /** Label sets by stream, kept between scrapes so that a scrape does not build them again. */
    private final Map<String, StreamLabels> labels = new ConcurrentHashMap<>();

    StreamFamilies(StreamRegistry registry) {
        this.registry = registry;
    }

    /** One stream's label sets. */
    private static final class StreamLabels {
        final Labels stream;
        final Map<String, Labels> byDetectorSeverity = new ConcurrentHashMap<>();
        final Map<String, Labels> byCheckPid = new ConcurrentHashMap<>();

        StreamLabels(String id) {
            stream = Labels.of("stream", id);
        }

        Labels alarm(String detector, String severity) {
            return byDetectorSeverity.computeIfAbsent(detector + '\0' + severity,
                    k -> stream.add("detector", detector).add("severity", severity));
        }

        Labels tr101290(String check, String pid) {
            return byCheckPid.computeIfAbsent(check + '\0' + pid, k -> stream.add("check", check).add("pid", pid));
        }
    }

    void collect(List<MetricSnapshot> out) {
        List<StreamStatus> streams = registry.local();
        Families f = new Families();
        var fps = f.gauge("vigil_stream_fps", "Video frames per second over the last few seconds.");
        var frames = f.counter("vigil_stream_frames", "Video frames analysed since the stream was added.");
        var decodeErrors = f.counter("vigil_stream_decode_errors",
                "Packets the decoders rejected since the stream was added.");
        var dropped = f.counter("vigil_stream_dropped_frames",
                "Frames dropped because analysis fell behind the live source.");
        var reconnects = f.counter("vigil_stream_reconnects", "Times the source was reopened.");
        var up = f.gauge("vigil_stream_up", "1 while frames flow, else 0.");
        var failed = f.counter("vigil_stream_failed",
                "Times the stream's analysis failed (a fault in vigil) and was restarted or quarantined.");
        var quarantined = f.gauge("vigil_streams_quarantined",
                "Streams quarantined now: not analysed until released (POST /api/streams/{id}/release).");
        var alarms = f.counter("vigil_alarms", "Alarms raised since the stream was added, by detector and severity.");
        var active = f.gauge("vigil_alarms_active", "Alarms firing now, by detector and severity.");
        var tr101290 = f.counter("vigil_tr101290_errors", "TR 101 290 errors since the stream's analysis"
                + " (re)started, by check and PID (-1: the whole multiplex); only streams that are transport streams"
                + " with tr101290.");
        var tsPackets = f.counter("vigil_ts_packets",
                "Transport stream packets analysed since the stream's analysis (re)started.");
        var ingestDrops = f.counter("vigil_ts_ingest_drops",
                "Datagrams this host dropped before vigil read them, since the stream's analysis (re)started; only"
                + " UDP inputs with tr101290.");
        var rtpLost = f.counter("vigil_ts_rtp_lost",
                "RTP packets lost before this host (gaps in their sequence numbers), since the stream's analysis"
                + " (re)started; only RTP inputs of MPEG-TS with tr101290.");
        var latency = f.histogram("vigil_frame_to_alarm_latency_seconds",
                "Wall time from the frame that made an alarm fire to its event.");
        var statistics = new Families.Family[STATISTICS.size()];
        for (int i = 0; i < statistics.length; i++) {
            statistics[i] = f.gauge(STATISTICS.get(i).name(), STATISTICS.get(i).help());
        }

        Set<String> seen = new HashSet<>();
        int quarantinedNow = 0;
        for (StreamStatus s : streams) {
            seen.add(s.id());
            StreamLabels l = labels.computeIfAbsent(s.id(), StreamLabels::new);
            fps.add(l.stream, s.fps());
            frames.add(l.stream, s.frames());
            decodeErrors.add(l.stream, s.decodeErrors());
            dropped.add(l.stream, s.droppedFrames());
            reconnects.add(l.stream, s.reconnects());
            up.add(l.stream, s.state() == StreamStatus.State.RUNNING ? 1 : 0);
            failed.add(l.stream, s.failures());
            if (s.state() == StreamStatus.State.QUARANTINED) {
                quarantinedNow++;
            }
            Optional<AlarmFigures> figures = registry.alarmFigures(s.id());
            alarms(s, l, figures.orElse(null), alarms, active);
            if (s.transport() != null) {
                s.transport().errors().forEach((check, byPid) -> byPid.forEach((pid, n) ->
                        tr101290.add(l.tr101290(check, pid), n)));
                tsPackets.add(l.stream, s.transport().packets());
                if (s.transport().ingestDrops() != null) {
                    ingestDrops.add(l.stream, s.transport().ingestDrops());
                }
                if (s.transport().rtpLost() != null) {
                    rtpLost.add(l.stream, s.transport().rtpLost());
                }
            }
            figures.ifPresent(a -> latency.add(a.latencySnapshot(l.stream)));
            Map<String, Double> values = s.statistics();
            for (int i = 0; i < statistics.length; i++) {
                Double v = values.get(STATISTICS.get(i).key());
                if (v != null) {
                    statistics[i].add(l.stream, v);
                }
            }
        }
        quarantined.add(Labels.EMPTY, quarantinedNow);
        labels.keySet().retainAll(seen);
        f.snapshots(out);
    }

    /**
     * Alarms raised (by detector) and firing now (by detector and severity). Every detector that ever fired keeps a
     * firing-now series (0 when quiet), so that a graph does not break off; its severity is the one its alarms carry
     * on this stream.
     */
    private static void alarms(StreamStatus s, StreamLabels l, AlarmFigures figures, Families.Family raised,
                               Families.Family active) {
        Map<String, Integer> firing = new HashMap<>();
        Map<String, String> severityNow = new HashMap<>();
        for (Event.Alarm a : s.activeAlarms()) {
            String severity = a.severity() == null ? "unknown" : a.severity();
            firing.merge(a.detector() + '\0' + severity, 1, Integer::sum);
            severityNow.putIfAbsent(a.detector(), severity);
        }
        for (Map.Entry<String, Long> e : s.alarmsByDetector().entrySet()) {
            String detector = e.getKey();
            String severity = severityNow.get(detector);
            if (severity == null && figures != null) {
                severity = figures.severity(detector);
            }
            if (severity == null) {
                severity = "unknown";
            }
            raised.add(l.alarm(detector, severity), e.getValue());
            firing.putIfAbsent(detector + '\0' + severity, 0);
        }
        firing.forEach((key, n) -> {
            int cut = key.indexOf('\0');
            active.add(l.alarm(key.substring(0, cut), key.substring(cut + 1)), n);
        });
    }
}
