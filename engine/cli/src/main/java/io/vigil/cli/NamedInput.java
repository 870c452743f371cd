package io.vigil.cli;

import io.vigil.engine.pipeline.InputAddress;
import io.vigil.server.config.ServeConfigLoader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An input of {@code vigil analyze} and the stream id it was given, if any ({@code NAME=INPUT} or {@code --name}).
 *
 * @param input the path, URL or {@code -} as FFmpeg will open it
 * @param name  the stream id the user chose, or null to derive one from the input
 */
record NamedInput(String input, String name) {

    /**
     * The inputs with their names: {@code NAME=INPUT} (unless the whole argument is an existing file: {@code a=b.ts}
     * stays a file), and the i-th {@code --name} for the i-th input. Throws a usage error for a name given twice, an
     * input named twice, more names than inputs, or standard input given twice.
     */
    static List<NamedInput> of(List<String> arguments, List<String> names) {
        if (names.size() > arguments.size()) {
            throw usage("--name was given " + names.size() + " times for " + arguments.size() + " input"
                    + (arguments.size() == 1 ? "" : "s") + "; each --name names the input in the same place.");
        }
        List<NamedInput> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        boolean stdin = false;
        for (int i = 0; i < arguments.size(); i++) {
            NamedInput in = parse(arguments.get(i));
            if (i < names.size()) {
                if (in.name() != null) {
                    throw usage("'" + arguments.get(i) + "' is named twice: by NAME= and by --name " + names.get(i) + ".");
                }
                in = new NamedInput(in.input(), checked(names.get(i), "--name"));
            }
            if (in.name() != null && !used.add(in.name())) {
                throw usage("The stream name '" + in.name() + "' is given to two inputs; each needs its own.");
            }
            if (InputAddress.stdin(in.input())) {
                if (stdin) {
                    throw usage("Standard input (-) can be read by one input only.");
                }
                stdin = true;
            }
            out.add(in);
        }
        return out;
    }

    private static NamedInput parse(String argument) {
        int eq = argument.indexOf('=');
        if (eq <= 0 || eq == argument.length() - 1) {
            return new NamedInput(argument, null);
        }
        String name = argument.substring(0, eq);
        if (!ServeConfigLoader.STREAM_ID.matcher(name).matches() || existingFile(argument)) {
            return new NamedInput(argument, null);   // a URL's query (a=b after '?') or a file whose name holds '='
        }
        return new NamedInput(argument.substring(eq + 1), name);
    }

    private static boolean existingFile(String argument) {
        try {
            return Files.exists(Path.of(argument));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static String checked(String name, String where) {
        if (!ServeConfigLoader.STREAM_ID.matcher(name).matches()) {
            throw usage(where + ": '" + name + "' is not a stream name: 1 to 64 letters, digits, '.', '_' or '-'.");
        }
        return name;
    }

    private static Main.UserError usage(String message) {
        return new Main.UserError(message, Main.EXIT_USAGE);
    }
}
