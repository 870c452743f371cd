package io.vigil.cli.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.engine.alarm.Event;
import io.vigil.engine.alarm.EventInvariants;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How one input was handled, by the contract (shared/spec/alarm-events.md): exit 0 with one summary, 3 with an
 * error object (could not be opened), 4 with a summary and an error object (broke off), every stdout line a JSON
 * object, the events keeping their invariants, nothing but one-line messages on stderr. Anything else is a defect.
 */
record Verdict(Outcome outcome, String detail) {
    enum Outcome {
        /** Exit 0: analysed to its end, one summary. */
        ANALYSED(false),
        /** Exit 3: could not be opened or holds nothing decodable, an error object. */
        UNREADABLE(false),
        /** Exit 4: broke off before its end, a summary and an error object. */
        BROKE_OFF(false),
        /** The JVM died of a signal or left a crash report. */
        CRASH(true),
        /** Still running at the timeout. */
        HANG(true),
        /** A Java stack trace on stderr. */
        STACK_TRACE(true),
        /** An exit code the contract does not give, or its objects missing (exit 0 without a summary...). */
        WRONG_RESULT(true),
        /** A stdout line that is not a JSON object. */
        BAD_OUTPUT(true),
        /** The events break the contract's invariants. */
        BROKEN_EVENTS(true);

        final boolean defect;

        Outcome(boolean defect) {
            this.defect = defect;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A throwable's trace: its frames, a cause, or an uncaught exception's first line. */
    private static final Pattern STACK_TRACE = Pattern.compile(
            "(?m)^\\s+at [\\w$.]+\\(|^Caused by: |^Exception in thread |^[\\w$.]+(Exception|Error)(: .*)?$");

    boolean defect() {
        return outcome.defect;
    }

    static Verdict of(ForkedAnalyze.Run run) {
        if (run.timedOut()) {
            return new Verdict(Outcome.HANG, "still running after the timeout");
        }
        if (run.crashReport() || run.exit() >= 128) {
            return new Verdict(Outcome.CRASH, "exit " + run.exit() + (run.exit() >= 128
                    ? " (signal " + (run.exit() - 128) + ")" : "") + (run.crashReport() ? ", JVM crash report" : ""));
        }
        if (hasStackTrace(run.stderr())) {
            return new Verdict(Outcome.STACK_TRACE, firstLines(run.stderr(), 6));
        }
        List<JsonNode> objects = new ArrayList<>();
        for (String line : run.stdout().lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                if (node == null || !node.isObject() || !node.has("type")) {
                    return new Verdict(Outcome.BAD_OUTPUT, "not an event: " + line);
                }
                objects.add(node);
            } catch (java.io.IOException e) {
                return new Verdict(Outcome.BAD_OUTPUT, "not JSON: " + line);
            }
        }
        long summaries = objects.stream().filter(o -> o.path("type").asText().equals("summary")).count();
        long errors = objects.stream().filter(o -> o.path("type").asText().equals("error")).count();
        Outcome outcome = switch (run.exit()) {
            case 0 -> summaries == 1 && errors == 0 ? Outcome.ANALYSED : null;
            case 3 -> summaries == 0 && errors == 1 ? Outcome.UNREADABLE : null;
            case 4 -> summaries == 1 && errors == 1 ? Outcome.BROKE_OFF : null;
            default -> null;
        };
        if (outcome == null) {
            return new Verdict(Outcome.WRONG_RESULT, "exit " + run.exit() + " with " + summaries + " summaries and "
                    + errors + " error objects; stderr: " + firstLines(run.stderr(), 3));
        }
        List<Event> events = objects.stream().map(EventInvariants::fromJson).filter(e -> e != null).toList();
        List<String> broken = EventInvariants.live().violations(events, true);
        if (!broken.isEmpty()) {
            return new Verdict(Outcome.BROKEN_EVENTS, String.join("; ", broken));
        }
        return new Verdict(outcome, "");
    }

    /** Whether {@code stderr} holds a Java stack trace (frames, a cause, an uncaught exception). */
    static boolean hasStackTrace(String stderr) {
        return STACK_TRACE.matcher(stderr).find();
    }

    static String firstLines(String text, int lines) {
        return String.join(" | ", text.lines().limit(lines).toList());
    }
}
