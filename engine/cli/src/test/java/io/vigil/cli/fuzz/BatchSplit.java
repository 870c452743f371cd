package io.vigil.cli.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits one JVM's analysis of a batch of inputs into one run per input, as if each had run alone, so that
 * {@link Verdict} judges them by the same rules: each stdout line goes to the input its {@code input} field names
 * (alarms name only their stream: the input's file name), and each input's exit code is read from its objects (a
 * summary alone 0, an error object alone 3, both 4). When the batch shows anything not clearly one input's (a crash
 * or signal, a hang, a stack trace, an exit code outside the contract or not the worst input's, a line that names
 * no input of the batch, an input without its objects, a failed analysis), it says why, and the harness analyses
 * each input of the batch alone instead.
 */
record BatchSplit(Map<Path, ForkedAnalyze.Run> runs, String unattributable) {
    private static final ObjectMapper JSON = new ObjectMapper();

    boolean attributable() {
        return unattributable == null;
    }

    private static BatchSplit not(String why) {
        return new BatchSplit(Map.of(), why);
    }

    static BatchSplit of(List<Path> inputs, ForkedAnalyze.Run batch) {
        if (batch.timedOut()) {
            return not("still running after " + inputs.size() + " times the timeout");
        }
        if (batch.crashReport() || batch.exit() >= 128) {
            return not("exit " + batch.exit() + (batch.crashReport() ? ", JVM crash report" : ""));
        }
        if (Verdict.hasStackTrace(batch.stderr())) {
            return not("a stack trace on stderr: " + Verdict.firstLines(batch.stderr(), 3));
        }
        if (batch.exit() != 0 && batch.exit() != 3 && batch.exit() != 4) {
            return not("exit " + batch.exit());
        }
        Map<String, Path> byInput = new HashMap<>();
        Map<String, Path> byStream = new HashMap<>();
        Map<Path, List<JsonNode>> objects = new LinkedHashMap<>();
        Map<Path, StringBuilder> lines = new LinkedHashMap<>();
        for (Path input : inputs) {
            byInput.put(input.toString(), input);
            byStream.put(input.getFileName().toString(), input);
            objects.put(input, new ArrayList<>());
            lines.put(input, new StringBuilder());
        }
        for (String line : batch.stdout().lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (java.io.IOException e) {
                return not("not JSON: " + line);
            }
            if (node == null || !node.isObject() || !node.has("type")) {
                return not("not an event: " + line);
            }
            Path input = node.hasNonNull("input") ? byInput.get(node.get("input").asText())
                    : byStream.get(node.path("stream").asText());
            if (input == null) {
                return not("a line of no input of the batch: " + line);
            }
            objects.get(input).add(node);
            lines.get(input).append(line).append('\n');
        }
        double secondsEach = batch.seconds() / inputs.size();
        Map<Path, ForkedAnalyze.Run> runs = new LinkedHashMap<>();
        int worst = 0;
        for (Path input : inputs) {
            List<JsonNode> its = objects.get(input);
            long summaries = its.stream().filter(o -> o.path("type").asText().equals("summary")).count();
            List<JsonNode> errors = its.stream().filter(o -> o.path("type").asText().equals("error")).toList();
            boolean failed = errors.stream().anyMatch(e -> e.path("stage").asText().equals("analysis"));
            int exit;
            if (summaries == 1 && errors.isEmpty()) {
                exit = 0;
            } else if (summaries == 0 && errors.size() == 1 && !failed) {
                exit = 3;
            } else if (summaries == 1 && errors.size() == 1 && !failed) {
                exit = 4;
            } else {
                return not(input.getFileName() + ": " + summaries + " summaries and " + errors.size()
                        + " error objects" + (failed ? ", its analysis failed" : ""));
            }
            worst = Math.max(worst, exit);
            runs.put(input, new ForkedAnalyze.Run(exit, false, lines.get(input).toString(), "", false, secondsEach));
        }
        if (worst != batch.exit()) {
            return not("exit " + batch.exit() + " where the worst input's is " + worst);
        }
        return new BatchSplit(runs, null);
    }
}
