package io.vigil.cli;

import io.vigil.engine.pipeline.InputAddress;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes the URL schemes {@code analyze} reads into its INPUT help, from the list the input parser itself accepts
 * ({@link InputAddress#networkSchemes}), so that the help cannot fall behind it.
 */
final class InputSchemes {
    /** The description the annotation carries, replaced here. */
    static final String PLACEHOLDER = "(the schemes are filled in from the input parser)";

    private InputSchemes() {
    }

    /** Gives {@code analyze}'s INPUT parameter its description (picocli applies no model transformer to a subcommand added by class). */
    static void describe(CommandSpec spec) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.paramLabel().equals(AnalyzeCommand.INPUT_LABEL)) {
                spec.remove(p);
                spec.addPositional(PositionalParamSpec.builder(p).description(description()).build());
                return;
            }
        }
    }

    static String description() {
        return "File paths, - for standard input (also pipe:0), or URLs ("
                + String.join(", ", InputAddress.networkSchemes()) + "); NAME=INPUT names the stream.";
    }
}
