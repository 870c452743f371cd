package io.vigil.engine.detect.spec;

import io.vigil.engine.alarm.Severity;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a detector declares about itself, once, in its own class (GStreamer's {@code GParamSpec} and element
 * metadata are the model): its name and place in lists; what it reports, for people; its parameters; the defaults
 * of its alarm (on or off, severity, raise delay {@code duration}, clear delay); the statistics it reads and which of
 * its (or another detector's) parameters set them; other detectors' parameters it uses; the picture its alarms
 * carry; its part in correlation; and the factory that makes one per stream. Config validation, the defaults, the
 * README's tables, the OpenAPI schema and {@code vigil detectors} all come from specs, found by
 * {@link DetectorRegistry}. Defaults are FFmpeg's where FFmpeg has the same detector.
 *
 * @param order where the detector comes in lists (the README, {@code vigil detectors}, error messages), lowest first
 * @param title what the alarm means, a few words ("picture black")
 * @param fires when it fires, for the README's table (Markdown)
 * @param enabled whether it runs unless configured otherwise
 * @param raiseNote how the raise delay works, when {@code duration} is not simply it (stall: its timeout), or empty
 * @param uses other detectors' parameters its factory reads (letterbox: black's {@code pictureThreshold})
 * @param explains detectors whose alarms this one explains while its condition holds: theirs are suppressed, naming
 *        this one as the cause (black and colorbars explain a still picture: freeze)
 * @param combines two detectors whose conditions holding together raise this one instead of both (signal_loss:
 *        black and silence); such a spec has no factory
 * @param factory makes the detector for one stream; null for a spec that only combines others
 */
public record DetectorSpec(String name, int order, String title, String fires, boolean enabled, Severity severity,
                           double durationSeconds, double clearDelaySeconds, String raiseNote,
                           List<ParamSpec> parameters, List<StatisticRead> reads, List<ParamRef> uses,
                           Evidence evidence, List<String> explains, List<String> combines, Factory factory) {

    /** Makes one stream's detector from its context (its settings, its tracker, the parameters it uses). */
    @FunctionalInterface
    public interface Factory {
        Detector create(DetectorContext context);
    }

    public DetectorSpec {
        // Written as text blocks; kept as one line each (a README table cell, one line of help).
        title = title.strip().replaceAll("\\s+", " ");
        fires = fires.strip().replaceAll("\\s+", " ");
        parameters = List.copyOf(parameters);
        reads = List.copyOf(reads);
        uses = List.copyOf(uses);
        explains = List.copyOf(explains);
        combines = List.copyOf(combines);
    }

    public static Builder builder(String name, int order) {
        return new Builder(name, order);
    }

    /** The parameter named {@code name}, or null. */
    public ParamSpec parameter(String name) {
        for (ParamSpec p : parameters) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** The settings this detector has unless configured otherwise. */
    public DetectorSettings defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : parameters) {
            values.put(p.name(), p.defaultValue());
        }
        return new DetectorSettings(name, enabled, durationSeconds, clearDelaySeconds, severity, values);
    }

    /** The statistics a detector with {@code settings} reads. */
    public List<StatisticRead> readsWith(DetectorSettings settings) {
        return reads.stream().filter(r -> r.activeFor(settings)).toList();
    }

    /** Every statistic this detector may read, whatever its settings. */
    public Set<Statistic> statistics() {
        Set<Statistic> all = EnumSet.noneOf(Statistic.class);
        reads.forEach(r -> all.add(r.statistic()));
        return all;
    }

    /** Builds a spec; every list starts empty, evidence {@link Evidence#NONE}, the detector on. */
    public static final class Builder {
        private final String name;
        private final int order;
        private String title = "";
        private String fires = "";
        private boolean enabled = true;
        private Severity severity = Severity.WARNING;
        private double durationSeconds;
        private double clearDelaySeconds;
        private String raiseNote = "";
        private final List<ParamSpec> parameters = new ArrayList<>();
        private final List<StatisticRead> reads = new ArrayList<>();
        private final List<ParamRef> uses = new ArrayList<>();
        private Evidence evidence = Evidence.NONE;
        private final List<String> explains = new ArrayList<>();
        private final List<String> combines = new ArrayList<>();
        private Factory factory;

        private Builder(String name, int order) {
            this.name = name;
            this.order = order;
        }

        /** What the alarm means, a few words, and when it fires (Markdown, for the README's table). */
        public Builder describe(String title, String fires) {
            this.title = title;
            this.fires = fires;
            return this;
        }

        /** The alarm's defaults: severity, raise delay ({@code duration}) and clear delay, in seconds. */
        public Builder alarm(Severity severity, double durationSeconds, double clearDelaySeconds) {
            this.severity = severity;
            this.durationSeconds = durationSeconds;
            this.clearDelaySeconds = clearDelaySeconds;
            return this;
        }

        /** Off unless configured on (say why in {@link #describe}). */
        public Builder offByDefault() {
            this.enabled = false;
            return this;
        }

        public Builder raiseNote(String note) {
            this.raiseNote = note;
            return this;
        }

        public Builder parameter(ParamSpec p) {
            parameters.add(p);
            return this;
        }

        public Builder reads(StatisticRead read) {
            reads.add(read);
            return this;
        }

        public Builder reads(Statistic statistic) {
            return reads(StatisticRead.of(statistic));
        }

        /** Another detector's parameter the factory reads through {@link DetectorContext#number}. */
        public Builder uses(String detector, String parameter) {
            uses.add(ParamRef.of(detector, parameter));
            return this;
        }

        public Builder evidence(Evidence e) {
            this.evidence = e;
            return this;
        }

        public Builder explains(String detector) {
            explains.add(detector);
            return this;
        }

        public Builder combines(String first, String second) {
            combines.add(first);
            combines.add(second);
            return this;
        }

        public Builder factory(Factory f) {
            this.factory = f;
            return this;
        }

        public DetectorSpec build() {
            return new DetectorSpec(name, order, title, fires, enabled, Objects.requireNonNull(severity),
                    durationSeconds, clearDelaySeconds, raiseNote, parameters, reads, uses, evidence, explains,
                    combines, factory);
        }
    }
}
