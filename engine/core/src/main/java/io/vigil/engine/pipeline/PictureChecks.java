package io.vigil.engine.pipeline;

import io.vigil.engine.detect.spec.Lineup;
import io.vigil.engine.detect.spec.Statistic;
import io.vigil.engine.detect.spec.StatisticParameter;
import io.vigil.kernels.engine.StatisticsEngine;
import io.vigil.kernels.picture.CardLibrary;
import io.vigil.kernels.picture.LogoMatcher;
import io.vigil.kernels.picture.PictureMatching;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A stream's logo and card checks as its lineup asks for them, with their references loaded; a reference that
 * cannot be loaded is a failure of its statistic (its readers are switched off with a warning), not of the stream.
 *
 * @param matching the checks that loaded, or null when none is asked for or none loaded
 * @param failures why a statistic's references could not be loaded
 */
record PictureChecks(PictureMatching matching, Map<Statistic, RuntimeException> failures) {
    static PictureChecks of(Lineup lineup, StatisticsEngine backend) {
        Map<Statistic, RuntimeException> failures = new EnumMap<>(Statistic.class);
        LogoMatcher logo = null;
        CardLibrary cards = null;
        if (lineup.reads(Statistic.LOGO_MATCH)) {
            try {
                logo = logo(lineup);
            } catch (RuntimeException e) {
                failures.put(Statistic.LOGO_MATCH, e);
            }
        }
        if (lineup.reads(Statistic.CARD_MATCH)) {
            try {
                List<Path> files = lineup.files(StatisticParameter.CARD_FILES);
                if (files.isEmpty()) {
                    throw new IllegalArgumentException("no card pictures are configured");
                }
                cards = CardLibrary.load(files);
            } catch (RuntimeException e) {
                failures.put(Statistic.CARD_MATCH, e);
            }
        }
        if (logo == null && cards == null) {
            return new PictureChecks(null, failures);
        }
        return new PictureChecks(new PictureMatching(backend, logo,
                lineup.parameter(StatisticParameter.LOGO_CHECKS_PER_SECOND), cards,
                lineup.parameter(StatisticParameter.CARD_CHECKS_PER_SECOND)), failures);
    }

    private static LogoMatcher logo(Lineup lineup) {
        List<Path> files = lineup.files(StatisticParameter.LOGO_FILE);
        if (files.size() != 1) {
            throw new IllegalArgumentException(files.isEmpty() ? "no logo picture is configured"
                    : "one logo picture is looked for, and " + files.size() + " are configured");
        }
        LogoMatcher.Region region = new LogoMatcher.Region(lineup.parameter(StatisticParameter.LOGO_REGION_X),
                lineup.parameter(StatisticParameter.LOGO_REGION_Y),
                lineup.parameter(StatisticParameter.LOGO_REGION_WIDTH),
                lineup.parameter(StatisticParameter.LOGO_REGION_HEIGHT));
        return LogoMatcher.load(files.getFirst(), (int) lineup.parameter(StatisticParameter.LOGO_REFERENCE_WIDTH),
                region);
    }
}
