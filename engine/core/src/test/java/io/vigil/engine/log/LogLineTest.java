package io.vigil.engine.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each log record as one line: JSON that parses, with the stream of the thread that wrote it. */
class LogLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void leave() {
        StreamLogContext.enter(null);
    }

    @Test
    void jsonLinesParseAndCarryTheThreadsStream() throws Exception {
        LogLine json = new LogLine(LogFormat.json);
        StreamLogContext.enter("cam1");
        LogRecord r = new LogRecord(Level.WARNING, "a \"quoted\"\nline\twith\u0001control");
        r.setLoggerName("io.vigil.server.live.StreamSupervisor");
        r.setThrown(new IllegalStateException("boom\nsecond line"));
        String line = json.format(r);
        assertThat(line).endsWith("}\n").doesNotContain("\n{").hasLineCount(1);
        JsonNode n = JSON.readTree(line);
        assertThat(n.get("level").asText()).isEqualTo("WARN");
        assertThat(n.get("stream").asText()).isEqualTo("cam1");
        assertThat(n.get("logger").asText()).isEqualTo("io.vigil.server.live.StreamSupervisor");
        assertThat(n.get("message").asText()).isEqualTo("a \"quoted\"\nline\twith\u0001control");
        assertThat(n.get("error").asText()).isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(n.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }

    @Test
    void childThreadsInheritTheStreamAndALineForAnotherThreadNamesItsStream() throws Exception {
        LogLine json = new LogLine(LogFormat.json);
        StreamLogContext.enter("cam2");
        Thread opener = Thread.currentThread();
        String[] lines = new String[2];
        Thread child = Thread.ofPlatform().start(() -> lines[0] = json.format(new LogRecord(Level.INFO, "child")));
        child.join();
        Thread foreign = Thread.ofPlatform().inheritInheritableThreadLocals(false).start(() -> {
            LogRecord r = new LogRecord(Level.SEVERE, "[h264 @ 0x1] slice");
            r.setParameters(new Object[] {opener});
            lines[1] = json.format(r);
        });
        foreign.join();
        assertThat(JSON.readTree(lines[0]).get("stream").asText()).isEqualTo("cam2");
        assertThat(JSON.readTree(lines[1]).get("stream").asText()).isEqualTo("cam2");
        StreamLogContext.enter(null);
        assertThat(JSON.readTree(json.format(new LogRecord(Level.INFO, "none"))).has("stream")).isFalse();
    }

    @Test
    void textLinesAreOneLineWithLevelStreamAndLogger() {
        StreamLogContext.enter("cam3");
        LogRecord r = new LogRecord(Level.FINE, "opened");
        r.setLoggerName("ffmpeg");
        assertThat(new LogLine(LogFormat.text).format(r)).matches("\\S+Z DEBUG \\[cam3] ffmpeg: opened\n");
    }
}
