package io.vigil.engine.alarm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How one stream's alarms explain each other, so that one failure raises one alarm, by the {@link CorrelationRules}
 * the detector specs make: an alarm whose condition another explains is suppressed while that one holds (a black
 * picture is also a still one, so freeze stays quiet while black holds; so are test bars and a still slate); two
 * that hold together are one combined alarm (black and silence: {@code signal_loss}). When a part of a combined
 * alarm has held for its raise delay while the other's condition has begun but not yet held as long, it waits (at
 * most the other's raise delay) to be raised together with it.
 */
final class Correlation {
    private final AlarmTracker tracker;
    private CorrelationRules rules = CorrelationRules.NONE;
    /** Each detector's whole-stream alarm (not one channel's): the ones that take part in correlation. */
    private final Map<String, Alarm> wholeStream = new HashMap<>();
    private final List<Combination> combinations = new ArrayList<>();
    private boolean finishing;

    /** A combined alarm and its two parts. */
    private record Combination(Alarm first, Alarm second, Alarm combined) {
        Alarm partner(Alarm part) {
            return part == first ? second : first;
        }
    }

    Correlation(AlarmTracker tracker) {
        this.tracker = tracker;
    }

    /** The rules to apply to the alarms registered from now on. */
    void rules(CorrelationRules r) {
        rules = r;
    }

    /** Notes the alarms that take part in correlation; a combined alarm starts once both its parts are here. */
    void registered(Alarm alarm) {
        if (alarm.channel() != null) {
            return;
        }
        wholeStream.put(alarm.detector(), alarm);
        for (CorrelationRules.Combined rule : rules.combined()) {
            Alarm first = wholeStream.get(rule.first());
            Alarm second = wholeStream.get(rule.second());
            boolean started = combinations.stream().anyMatch(c -> c.combined().detector().equals(rule.detector()));
            if (first != null && second != null && !started) {
                combinations.add(new Combination(first, second, combined(rule, first, second)));
            }
        }
    }

    private Alarm combined(CorrelationRules.Combined rule, Alarm first, Alarm second) {
        return new Alarm(tracker, rule.detector(), null, null, rule.severity(), 0, 0, new AlarmSubject() {
            @Override
            public String summary(double heldSeconds) {
                return String.format(Locale.ROOT, "%s for %.1f s", rule.summary(), heldSeconds);
            }

            @Override
            public void metrics(Map<String, Double> out) {
                first.subject().metrics(out);
                second.subject().metrics(out);
            }
        });
    }

    /** {@code alarm}'s condition has held for its raise delay, until {@code untilSeconds}: raise, wait or fold it. */
    void decide(Alarm alarm, double untilSeconds) {
        if (alarm.channel() == null && wholeStream.get(alarm.detector()) == alarm) {
            for (String name : rules.explainedBy().getOrDefault(alarm.detector(), List.of())) {
                Alarm explained = wholeStream.get(name);
                if (explained != null && explained.conditionActive()) {
                    // Explained (a still picture by black, bars or a slate): suppressed, naming its cause.
                    alarm.suppress();
                    alarm.cause(tracker.dedupKey(explained));
                    return;
                }
            }
        }
        Combination c = combinationOf(alarm);
        if (c != null) {
            Alarm partner = c.partner(alarm);
            switch (partner.state()) {
                case DEFERRED, FIRING -> {
                    raiseCombined(c.combined(), alarm, partner, untilSeconds);
                    return;
                }
                case HOLDING -> {
                    alarm.defer();
                    return;
                }
                default -> {
                }
            }
        }
        alarm.fire(untilSeconds - alarm.since());
    }

    private Combination combinationOf(Alarm part) {
        for (Combination c : combinations) {
            if (c.first() == part || c.second() == part) {
                return c;
            }
        }
        return null;
    }

    private static void raiseCombined(Alarm combined, Alarm alarm, Alarm partner, double untilSeconds) {
        Alarm later = alarm.since() >= partner.since() ? alarm : partner;
        double since = later.since();
        alarm.merge();
        if (partner.state() == Alarm.State.DEFERRED) {
            partner.merge();
        }
        // A partner already firing alone stays raised; the new condition is folded into the combined alarm.
        combined.since(since, later.wallSince());
        combined.fire(untilSeconds - since);
    }

    /**
     * A part of a combined alarm ended at {@code atSeconds}: the combined alarm resolves; the other part, if its
     * condition goes on for its own raise delay, is raised alone, naming the combined alarm as its cause.
     */
    void partEnded(Alarm part, double atSeconds) {
        Combination c = combinationOf(part);
        if (c == null || !c.combined().firing()) {
            return;
        }
        Alarm combined = c.combined();
        combined.clear(atSeconds);
        combined.advance(Double.POSITIVE_INFINITY);
        Alarm other = c.partner(part);
        if (other.state() == Alarm.State.MERGED) {
            if (finishing) {
                other.finish(atSeconds);
                return;
            }
            other.cause(tracker.dedupKey(combined));
            other.unmerge(atSeconds);
        }
    }

    /** The input is ending: combined alarms resolve, and no part is raised alone any more. */
    void finishing() {
        finishing = true;
    }
}
