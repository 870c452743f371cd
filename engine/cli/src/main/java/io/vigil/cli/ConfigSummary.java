package io.vigil.cli;

import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.pipeline.InputAddress;
import io.vigil.server.StreamSpec;
import io.vigil.server.config.ServeConfig;
import java.nio.file.Path;

/** {@code vigil serve --check-config}'s report: what serve would run with a valid file, secrets left out. */
final class ConfigSummary {
    private ConfigSummary() {
    }

    static String of(Path file, ServeConfig cfg) {
        StringBuilder out = new StringBuilder();
        out.append(file).append(": valid\n");
        out.append("  server:   ").append(cfg.server().bind()).append(':').append(cfg.server().port())
                .append(cfg.server().token() == null ? ", no token" : ", token set").append(", state in ")
                .append(cfg.server().stateDir()).append('\n');
        out.append("  defaults: detectors ").append(String.join(", ", cfg.defaults().detectors().values().stream()
                .filter(DetectorSettings::enabled).map(DetectorSettings::detector).toList()))
                .append("; ioTimeout ").append(cfg.defaults().ioTimeout().toMillis() / 1000.0).append(" s; backend ")
                .append(cfg.defaults().backend()).append('\n');
        out.append("  sinks:    ").append(cfg.sinks().jsonl() == null ? "no events log" : "events log " + cfg.sinks().jsonl())
                .append(", ").append(cfg.sinks().webhooks().size()).append(" webhook(s)\n");
        if (cfg.cluster() != null) {
            out.append("  cluster:  ").append(cfg.cluster().bootstrapServers()).append('\n');
        }
        out.append("  streams:  ").append(cfg.streams().size()).append('\n');
        for (StreamSpec s : cfg.streams()) {
            out.append("    ").append(s.id()).append(": ").append(InputAddress.mask(s.url()))
                    .append(s.detectors() == null ? "" : " (" + String.join(", ", s.detectors()) + ")").append('\n');
        }
        return out.toString();
    }
}
