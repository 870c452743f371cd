package io.vigil.cli;

import io.vigil.engine.backend.Backends;
import io.vigil.engine.backend.StatisticsBackend;
import io.vigil.engine.config.VigilConfig;

/** Opens the statistics backend a command's configuration asks for, turning "no GPU here" into a usage error. */
final class BackendOption {
    private BackendOption() {
    }

    static StatisticsBackend open(VigilConfig cfg) {
        try {
            return Backends.select(cfg.backend(), cfg.gpu().device(), cfg.gpu().maxBatch(), cfg.gpu().maxLatency())
                    .backend();
        } catch (Backends.UnavailableException e) {
            throw new Main.UserError(e.getMessage() + ".", Main.EXIT_USAGE);
        }
    }
}
