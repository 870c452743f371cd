package io.vigil.cli;

import io.vigil.engine.config.VigilConfig;
import io.vigil.kernels.engine.Engines;
import io.vigil.kernels.engine.StatisticsEngine;

/** Opens the statistics engine a command's configuration asks for, turning "no GPU here" into a usage error. */
final class BackendOption {
    private BackendOption() {
    }

    static StatisticsEngine open(VigilConfig cfg) {
        try {
            return Engines.select(cfg.engineOptions()).engine();
        } catch (Engines.UnavailableException e) {
            throw new Main.UserError(e.getMessage() + ".", Main.EXIT_USAGE);
        }
    }
}
