package io.vigil.server.http;

import io.vigil.engine.pipeline.GpuFigures;
import io.vigil.server.StreamRegistry;
import io.vigil.server.metrics.MetricsEndpoint;
import io.vigil.server.metrics.ServerFigures;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** /metrics's text without a server: the endpoint over a registry and GPU figures, nothing else connected. */
final class Scrapes {
    private Scrapes() {
    }

    static String text(StreamRegistry registry, List<GpuFigures> gpus) {
        return new String(new MetricsEndpoint(registry, () -> ServerFigures.NONE, List::of, () -> gpus).scrape(null)
                .body(), StandardCharsets.UTF_8);
    }
}
