package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One run of the vigil command line in this JVM, with stdout (parsed as JSON lines when it is) and stderr. */
final class CliResult {
    private static final ObjectMapper JSON = new ObjectMapper();

    final String command;
    final int exit;
    final String out;
    final String err;
    final double seconds;
    final List<JsonNode> events = new ArrayList<>();

    CliResult(String command, int exit, String out, String err, double seconds) {
        this.command = command;
        this.exit = exit;
        this.out = out;
        this.err = err;
        this.seconds = seconds;
        // With --format jsonl every line of stdout must be a JSON object.
        boolean jsonl = command.contains("jsonl");
        for (String line : out.lines().toList()) {
            if (line.isBlank() || !jsonl) {
                continue;
            }
            try {
                events.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new AssertionError("stdout line is not JSON: " + line + "\n" + this, e);
            }
        }
    }

    List<JsonNode> events(String type) {
        return events.stream().filter(e -> e.path("type").asText().equals(type)).toList();
    }

    JsonNode single(String type) {
        List<JsonNode> found = events(type);
        assertThat(found).as("one %s object in %s", type, this).hasSize(1);
        return found.getFirst();
    }

    List<JsonNode> alarms(String detector) {
        return events("alarm").stream().filter(e -> e.path("detector").asText().equals(detector)).toList();
    }

    void assertNoStackTrace() {
        assertThat(err).as(toString()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Override
    public String toString() {
        return String.format("vigil %s -> exit %d in %.2f s%n--- stdout%n%s--- stderr%n%s---", command, exit, seconds,
                out, err);
    }

    /** Runs {@link Main#execute} with stdout and stderr captured. */
    static CliResult run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int exit;
        long started = System.nanoTime();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Main.execute(args);
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        CliResult r = new CliResult(String.join(" ", args), exit, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8), seconds);
        // Echo for the surefire report: what analyze printed, in case an assertion fails.
        oldOut.println(r);
        return r;
    }
}
