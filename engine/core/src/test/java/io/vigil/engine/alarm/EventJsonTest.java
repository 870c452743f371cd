package io.vigil.engine.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.engine.sink.JsonLinesSink;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract's field names and types, as the JSON-lines sink writes them. */
class EventJsonTest {
    final ObjectMapper json = new ObjectMapper();

    @Test
    void alarmsCarryTheContractFields() throws Exception {
        JsonNode firing = json.readTree(JsonLinesSink.toJson(new Event.Alarm("firing", "black", "e1", null, "e1/black",
                "critical", 10.0, null, null, "2026-11-26T10:00:10.000Z", null, "picture black for 2.0 s",
                Map.of("darkRatio", 0.999), null, null)));
        assertThat(firing.fieldNames()).toIterable().containsExactly("type", "status", "detector", "stream", "dedupKey",
                "severity", "start", "wallStart", "summary", "metrics");
        assertThat(firing.get("type").asText()).isEqualTo("alarm");
        assertThat(firing.get("start").isNumber()).isTrue();

        JsonNode resolved = json.readTree(JsonLinesSink.toJson(new Event.Alarm("resolved", "silence", "e1", 1,
                "e1/silence/1", "error", 10.0, 14.033, 4.033, null, null, null, Map.of(), "e1/signal_loss", "thumbs/e1-silence-10000.jpg")));
        assertThat(resolved.get("channel").asInt()).isEqualTo(1);
        assertThat(resolved.get("end").asDouble()).isEqualTo(14.033);
        assertThat(resolved.get("duration").asDouble()).isEqualTo(4.033);
        assertThat(resolved.get("cause").asText()).isEqualTo("e1/signal_loss");
        assertThat(resolved.get("thumbnail").asText()).isEqualTo("thumbs/e1-silence-10000.jpg");
    }

    @Test
    void summaryAndErrorCarryTheirType() throws Exception {
        JsonNode summary = json.readTree(JsonLinesSink.toJson(new Event.Summary("e1", "in.ts", 900, 1_440_000, 30.0, 1.9,
                "cpu", "cpu", 0, 0, Map.of("black", 1), null)));
        assertThat(summary.get("type").asText()).isEqualTo("summary");
        assertThat(summary.get("frames").asLong()).isEqualTo(900);
        assertThat(summary.get("alarms").get("black").asInt()).isEqualTo(1);
        JsonNode error = json.readTree(JsonLinesSink.toJson(new Event.Error("e1", "in.ts", "open", "No such file: in.ts")));
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("message").asText()).isEqualTo("No such file: in.ts");
    }
}
