package io.vigil.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.engine.alarm.Event;
import io.vigil.engine.sink.JsonLinesSink;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesFileSinkTest {
    @TempDir
    Path dir;

    @Test
    void appendsEveryContractObjectOnePerLineAcrossReopens() throws Exception {
        Path log = dir.resolve("logs/events.jsonl");
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            events.add(WebhookSinkTest.alarm(i));
        }
        events.add(new Event.Error("news1", "udp://239.0.0.1:1234", "read", "input ended"));
        try (JsonLinesFileSink sink = new JsonLinesFileSink(log)) {
            events.subList(0, 4).forEach(sink::accept);
            assertThat(sink.written()).isEqualTo(4);
        }
        try (JsonLinesFileSink sink = new JsonLinesFileSink(log)) { // a restart appends, never truncates
            events.subList(4, events.size()).forEach(sink::accept);
        }
        List<String> expected = events.stream().map(JsonLinesSink::toJson).toList();
        assertThat(Files.readAllLines(log, StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void anUnwritablePathIsRefusedInOneSentence() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> new JsonLinesFileSink(file.resolve("events.jsonl")))
                .isInstanceOf(UncheckedIOException.class).hasMessageStartingWith("cannot open the JSON-lines log");
    }
}
