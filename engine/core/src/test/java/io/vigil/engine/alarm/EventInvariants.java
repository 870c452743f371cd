package io.vigil.engine.alarm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The invariants every event sequence of the contract (shared/spec/alarm-events.md) keeps, whatever the input did:
 * checked over what a test collected from one stream or several (interleaved; each stream and dedupKey on its own).
 *
 * <ul>
 *   <li>every alarm: a known status and severity, a dedupKey, finite media times; a firing event has no end;</li>
 *   <li>a resolved event: {@code end >= start}, {@code duration == end - start} (each is rounded to the
 *       millisecond), {@code wallEnd >= wallStart};</li>
 *   <li>per dedupKey: firing and resolved alternate, starting with firing; the resolved event carries its firing
 *       event's start, wallStart, detector, channel and severity; an alarm's wallStart is not before the previous
 *       one's wallEnd (less the jitter allowed);</li>
 *   <li>every firing is resolved when the summary that counts it comes (its stream's input ended or the stream
 *       stopped; in a fleet each role's analysis sums up its own detectors), and at the end of the sequence when it
 *       is {@linkplain #assertComplete complete};</li>
 *   <li>{@code stall}: {@code stalls >= 1}, and its metric {@code stalledSeconds} is the length its wall times
 *       give (within the tolerance), whether frames came back or the stream ended while it stalled; so is its
 *       {@code duration}, when it has wall times (the duration is the outage). A resolution
 *       the fleet made for a node that died ({@code cause: failover}) carries that node's last figures and is left
 *       out of this rule.</li>
 * </ul>
 */
public final class EventInvariants {
    private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");
    /** start, end and duration are each rounded to the millisecond. */
    private static final double ROUNDING_SECONDS = 0.0011;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final double wallJitterSeconds;
    private final double stallToleranceSeconds;

    private EventInvariants(double wallJitterSeconds, double stallToleranceSeconds) {
        this.wallJitterSeconds = wallJitterSeconds;
        this.stallToleranceSeconds = stallToleranceSeconds;
    }

    /**
     * For live streams on a real clock: wall times of one dedupKey's successive alarms may overlap by 0.5 s (the
     * media-to-wall mapping follows each frame's arrival), and a stall's figure may differ from its wall times by
     * 0.5 s (its end is mapped from the frame that ended it).
     */
    public static EventInvariants live() {
        return new EventInvariants(0.5, 0.5);
    }

    /** With other tolerances (a test's own clock makes them small). */
    public static EventInvariants within(double wallJitterSeconds, double stallToleranceSeconds) {
        return new EventInvariants(wallJitterSeconds, stallToleranceSeconds);
    }

    /** Asserts the invariants, every alarm resolved by the end of {@code events} (every stream ended). */
    public static void assertComplete(List<? extends Event> events) {
        live().check(events, true);
    }

    /** Asserts the invariants of what has happened so far: alarms of streams still running may still fire. */
    public static void assertSoFar(List<? extends Event> events) {
        live().check(events, false);
    }

    /** Throws an {@link AssertionError} listing every broken invariant, each with its event. */
    public void check(List<? extends Event> events, boolean complete) {
        List<String> broken = violations(events, complete);
        if (!broken.isEmpty()) {
            StringBuilder all = new StringBuilder(broken.size() + " event invariant(s) broken:");
            broken.forEach(b -> all.append("\n  ").append(b));
            all.append("\nevents:");
            for (int i = 0; i < events.size(); i++) {
                all.append("\n  #").append(i).append(' ').append(events.get(i));
            }
            throw new AssertionError(all.toString());
        }
    }

    /** The broken invariants, one line each (empty when none). */
    public List<String> violations(List<? extends Event> events, boolean complete) {
        List<String> out = new ArrayList<>();
        Map<String, Event.Alarm> open = new HashMap<>();
        Map<String, Event.Alarm> lastResolved = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            String at = "#" + i + " ";
            if (e instanceof Event.Alarm a) {
                alarm(a, at, out);
                if (a.dedupKey() == null) {
                    continue;
                }
                Event.Alarm firing = open.get(a.dedupKey());
                if (a.firing()) {
                    if (firing != null) {
                        out.add(at + "fired again while firing: " + a);
                    }
                    Event.Alarm before = lastResolved.get(a.dedupKey());
                    Instant start = wall(a.wallStart());
                    Instant previousEnd = before == null ? null : wall(before.wallEnd());
                    if (start != null && previousEnd != null
                            && seconds(previousEnd, start) > wallJitterSeconds) {
                        out.add(at + "wallStart before the previous alarm's wallEnd " + before.wallEnd() + ": " + a);
                    }
                    open.put(a.dedupKey(), a);
                } else if (Event.Alarm.RESOLVED.equals(a.status())) {
                    if (firing == null) {
                        out.add(at + "resolved without firing: " + a);
                    } else {
                        pair(firing, a, at, out);
                    }
                    open.remove(a.dedupKey());
                    lastResolved.put(a.dedupKey(), a);
                }
            } else if (e instanceof Event.Summary s) {
                for (Event.Alarm a : open.values()) {
                    // The alarms this analysis raised (it counts them); in a fleet another role's may still fire.
                    if (a.stream().equals(s.stream()) && (s.alarms() == null || s.alarms().containsKey(a.detector()))) {
                        out.add(at + "summary of " + s.stream() + " while still firing: " + a);
                    }
                }
            }
        }
        if (complete) {
            open.values().forEach(a -> out.add("end: never resolved: " + a));
        }
        return out;
    }

    private void alarm(Event.Alarm a, String at, List<String> out) {
        if (a.dedupKey() == null || a.detector() == null || a.stream() == null) {
            out.add(at + "no dedupKey, detector or stream: " + a);
        }
        if (!SEVERITIES.contains(a.severity())) {
            out.add(at + "unknown severity: " + a);
        }
        if (!Double.isFinite(a.start())) {
            out.add(at + "start not finite: " + a);
        }
        if (a.firing()) {
            if (a.end() != null || a.duration() != null || a.wallEnd() != null) {
                out.add(at + "a firing alarm with an end: " + a);
            }
            return;
        }
        if (!Event.Alarm.RESOLVED.equals(a.status())) {
            out.add(at + "unknown status: " + a);
            return;
        }
        if (a.end() == null || a.duration() == null || !Double.isFinite(a.end()) || !Double.isFinite(a.duration())) {
            out.add(at + "resolved without a finite end and duration: " + a);
            return;
        }
        if (a.end() < a.start()) {
            out.add(at + "end before start: " + a);
        }
        if (Math.abs(a.duration() - (a.end() - a.start())) > ROUNDING_SECONDS) {
            out.add(at + "duration is not end - start: " + a);
        }
        Instant wallStart = wall(a.wallStart());
        Instant wallEnd = wall(a.wallEnd());
        if ((a.wallStart() != null && wallStart == null) || (a.wallEnd() != null && wallEnd == null)) {
            out.add(at + "wall time not ISO 8601: " + a);
        }
        if (wallStart != null && wallEnd != null && wallEnd.isBefore(wallStart)) {
            out.add(at + "wallEnd before wallStart: " + a);
        }
        if ("stall".equals(a.detector()) && !"failover".equals(a.cause())) {
            stall(a, wallStart, wallEnd, at, out);
        }
    }

    private void stall(Event.Alarm a, Instant wallStart, Instant wallEnd, String at, List<String> out) {
        Double stalled = a.metrics() == null ? null : a.metrics().get("stalledSeconds");
        Double stalls = a.metrics() == null ? null : a.metrics().get("stalls");
        if (stalled == null || stalls == null || stalls < 1) {
            out.add(at + "stall without stalledSeconds and stalls >= 1: " + a);
            return;
        }
        if (wallStart == null || wallEnd == null) {
            return;
        }
        double wallSeconds = seconds(wallEnd, wallStart);
        if (Math.abs(stalled - wallSeconds) > stallToleranceSeconds) {
            out.add(at + "stalledSeconds " + stalled + " is not its wall length " + wallSeconds + " s: " + a);
        }
        if (a.duration() != null && Math.abs(a.duration() - stalled) > stallToleranceSeconds) {
            out.add(at + "a stall's duration " + a.duration() + " is not its outage " + stalled + " s: " + a);
        }
    }

    private static void pair(Event.Alarm firing, Event.Alarm resolved, String at, List<String> out) {
        if (firing.start() != resolved.start()) {
            out.add(at + "resolved with another start than its firing (" + firing.start() + "): " + resolved);
        }
        if (!java.util.Objects.equals(firing.wallStart(), resolved.wallStart())) {
            out.add(at + "resolved with another wallStart than its firing (" + firing.wallStart() + "): " + resolved);
        }
        if (!java.util.Objects.equals(firing.detector(), resolved.detector())
                || !java.util.Objects.equals(firing.channel(), resolved.channel())
                || !java.util.Objects.equals(firing.severity(), resolved.severity())) {
            out.add(at + "resolved with another detector, channel or severity than " + firing + ": " + resolved);
        }
    }

    /** {@code a - b} in seconds. */
    private static double seconds(Instant a, Instant b) {
        return (a.toEpochMilli() - b.toEpochMilli()) / 1000.0;
    }

    private static Instant wall(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * One line of {@code analyze --format jsonl} (or a JSON event from the API or Kafka) as an event; null for a
     * type this checker does not know.
     */
    public static Event fromJson(String json) {
        try {
            return fromJson(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new AssertionError("not a JSON event: " + json, e);
        }
    }

    /** See {@link #fromJson(String)}. */
    public static Event fromJson(JsonNode node) {
        Class<? extends Event> type = switch (node.path("type").asText()) {
            case "alarm" -> Event.Alarm.class;
            case "summary" -> Event.Summary.class;
            case "error" -> Event.Error.class;
            default -> null;
        };
        if (type == null) {
            return null;
        }
        try {
            return JSON.treeToValue(node, type);
        } catch (java.io.IOException e) {
            throw new AssertionError("not a contract event: " + node, e);
        }
    }
}
