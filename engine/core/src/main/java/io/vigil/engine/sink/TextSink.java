package io.vigil.engine.sink;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventSink;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Events as aligned lines for a person at a terminal. */
public final class TextSink implements EventSink {
    private final PrintStream out;

    public TextSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void accept(Event event) {
        out.println(format(event));
        out.flush();
    }

    public static String format(Event event) {
        return switch (event) {
            case Event.Alarm a when a.firing() -> String.format(Locale.ROOT, "%-12s %9s  FIRING    %-8s %-8s %s%s%s",
                    a.stream(), clock(a.start()), a.detector(), a.severity(), a.summary(), channel(a.channel()),
                    metrics(a.metrics()));
            case Event.Alarm a -> String.format(Locale.ROOT, "%-12s %9s  RESOLVED  %-8s %-8s lasted %.2f s (from %s)%s",
                    a.stream(), clock(a.end()), a.detector(), a.severity(), a.duration(), clock(a.start()),
                    channel(a.channel()));
            case Event.Summary s -> String.format(Locale.ROOT,
                    "%-12s summary: %d frames, %s of media in %.1f s (%.1fx real time), statistics on %s, decoded on %s, "
                            + "%d decode errors, %d frames dropped, alarms: %s",
                    s.stream(), s.frames(), clock(s.mediaSeconds()), s.elapsedSeconds(),
                    s.elapsedSeconds() > 0 ? s.mediaSeconds() / s.elapsedSeconds() : 0, s.backend(), s.decoder(),
                    s.decodeErrors(), s.droppedFrames(),
                    s.alarms().isEmpty() ? "none" : s.alarms().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")))
                    + loudness(s.loudness());
            case Event.Error e -> String.format(Locale.ROOT, "%-12s ERROR: %s", e.stream(), e.message());
            case Event.Warning w -> String.format(Locale.ROOT, "%-12s WARNING: %s", w.stream(), w.message());
            case Event.Marker m -> String.format(Locale.ROOT, "%-12s %9s  MARKER    %s %s on PID %d%s", m.stream(),
                    clock(m.start()), m.command(), m.kind() == null ? "" : m.kind(),
                    m.pid(), m.duration() == null ? "" : String.format(Locale.ROOT, " for %.3f s", m.duration()));
            case Event.Ack k -> String.format(Locale.ROOT, "%-12s ACK %s by %s%s", k.stream(), k.dedupKey(), k.by(),
                    k.note() == null || k.note().isEmpty() ? "" : ": " + k.note());
            case Event.Mute u -> String.format(Locale.ROOT, "%-12s %s %s until %s by %s", u.stream(),
                    Boolean.TRUE.equals(u.ended()) ? "UNMUTE" : "MUTE", u.detector() == null ? "all detectors"
                            : u.detector(), u.until(), u.by());
        };
    }

    /** Media time as m:ss.mmm. */
    static String clock(double seconds) {
        long ms = Math.round(seconds * 1000);
        return String.format(Locale.ROOT, "%d:%02d.%03d", ms / 60000, ms / 1000 % 60, ms % 1000);
    }

    /** "; loudness I -23.0 LUFS, LRA 5.2 LU, true peak -1.5 dBTP", or nothing when none was measured. */
    private static String loudness(Map<String, Double> l) {
        if (l == null) {
            return "";
        }
        StringBuilder b = new StringBuilder("; loudness");
        String sep = " ";
        String[][] parts = {{"integrated", "I ", " LUFS"}, {"range", "LRA ", " LU"}, {"truePeak", "true peak ", " dBTP"}};
        for (String[] p : parts) {
            if (l.get(p[0]) != null) {
                b.append(sep).append(p[1]).append(String.format(Locale.ROOT, "%.1f", l.get(p[0]))).append(p[2]);
                sep = ", ";
            }
        }
        return b.toString();
    }

    private static String channel(Integer c) {
        return c == null ? "" : " (channel " + c + ")";
    }

    private static String metrics(Map<String, Double> m) {
        if (m == null || m.isEmpty()) {
            return "";
        }
        return m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", "  [", "]"));
    }
}
