package io.vigil.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code vigil} command. */
@Command(name = "vigil", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Real-time audio/video defect monitor: black, frozen and silent pictures and sound, as alarms.",
        subcommands = {AnalyzeCommand.class, ServeCommand.class, DetectorsCommand.class, DoctorCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** The contract's exit code for a bad command line. */
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: analyze, serve, detectors, doctor or demo.");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // A bad command line gets one line, not the whole usage text.
        cli.setParameterExceptionHandler((e, badArgs) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("vigil: " + e.getMessage() + " (see 'vigil " + cmd.getCommandName()
                    .replace("vigil", "").trim() + " --help')");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserError u) {
                cmd.getErr().println("vigil: " + u.getMessage());
                return u.exitCode();
            }
            throw e;
        });
        return cli.execute(args);
    }

    /** A mistake the user can fix (a bad flag value, a bad config): one sentence and an exit code, no stack trace. */
    static final class UserError extends RuntimeException {
        private final int exitCode;

        UserError(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        int exitCode() {
            return exitCode;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"vigil " + (v == null ? "development build" : v)};
        }
    }
}
