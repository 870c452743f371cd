package io.vigil.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code vigil} command. */
@Command(name = "vigil", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Real-time audio/video defect monitor: black, frozen and silent pictures and sound, as alarms.")
public final class Main implements Runnable {
    /** The contract's exit code for a bad command line. */
    static final int EXIT_USAGE = 2;

    /** The subcommands by name, in the order help lists them. */
    private static final Map<String, Class<?>> COMMANDS = commands();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: analyze, serve, detectors, doctor, demo or bench.");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // picocli reflects over every registered command before it parses (its classes predate what the AOT cache
        // keeps): a line that starts with a command's name gets that command only, the others (help) get them all.
        // No method references to picocli here: the JDK 25 AOT cache writer crashes on them (classes it skips).
        Class<?> named = args.length > 0 && !args[0].equals("help") ? COMMANDS.get(args[0]) : null;
        for (Class<?> command : named != null ? List.<Class<?>>of(named) : COMMANDS.values()) {
            cli.addSubcommand(command);
        }
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

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> commands = new LinkedHashMap<>();
        commands.put("analyze", AnalyzeCommand.class);
        commands.put("serve", ServeCommand.class);
        commands.put("detectors", DetectorsCommand.class);
        commands.put("doctor", DoctorCommand.class);
        commands.put("demo", DemoCommand.class);
        commands.put("bench", BenchCommand.class);
        commands.put("help", CommandLine.HelpCommand.class);
        return commands;
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
            return new String[] {"vigil " + io.vigil.server.VigilVersion.version()};
        }
    }
}
