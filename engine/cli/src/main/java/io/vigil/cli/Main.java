package io.vigil.cli;

import io.vigil.engine.log.LogFormat;
import io.vigil.engine.log.Logs;
import java.util.LinkedHashMap;
import java.util.logging.Level;
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

    /** The log's format and level: VIGIL_LOG_FORMAT and VIGIL_LOG_LEVEL, then the flags. */
    private LogFormat logFormat = LogFormat.text;
    private Level logLevel = Level.INFO;

    @CommandLine.Option(names = "--log-format", paramLabel = "FORMAT", scope = CommandLine.ScopeType.INHERIT,
            description = "The log on stderr: text (the default) or json (one object per line, with the stream's id); also VIGIL_LOG_FORMAT.")
    void logFormat(String format) {
        try {
            logFormat = LogFormat.valueOf(format.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--log-format: '" + format + "' is not a log format: use text or json");
        }
        Logs.configure(logFormat, logLevel, System.err);
    }

    @CommandLine.Option(names = "--log-level", paramLabel = "LEVEL", scope = CommandLine.ScopeType.INHERIT,
            description = "The least severe log lines written: error, warn, info (the default), debug or trace; also VIGIL_LOG_LEVEL.")
    void logLevel(String level) {
        try {
            logLevel = Logs.level(level);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--log-level: " + e.getMessage());
        }
        Logs.configure(logFormat, logLevel, System.err);
    }

    @Override
    public void run() {
        List<String> names = COMMANDS.keySet().stream().filter(n -> !n.equals("help")).toList();
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: "
                + String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast() + ".");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        return commandLine(args.length > 0 && !args[0].equals("help") ? COMMANDS.get(args[0]) : null).execute(args);
    }

    /** The command line with every subcommand: what shell completion describes. */
    static CommandLine fullCommandLine() {
        return commandLine(null);
    }

    /** The command line with the subcommand {@code named} only, or with them all when null. */
    private static CommandLine commandLine(Class<?> named) {
        Main main = new Main();
        main.logFromEnvironment();
        CommandLine cli = new CommandLine(main);
        // picocli reflects over every registered command before it parses (its classes predate what the AOT cache
        // keeps): a line that starts with a command's name gets that command only, the others (help) get them all.
        // No method references to picocli here: the JDK 25 AOT cache writer crashes on them (classes it skips).
        for (Class<?> command : named != null ? List.<Class<?>>of(named) : COMMANDS.values()) {
            cli.addSubcommand(command);
        }
        CommandLine analyze = cli.getSubcommands().get("analyze");
        if (analyze != null) {
            InputSchemes.describe(analyze.getCommandSpec());
        }
        // A bad command line gets one line (and picocli's "Did you mean" for a near miss), not the whole usage text.
        cli.setParameterExceptionHandler((e, badArgs) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("vigil: " + e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName()
                    + " --help')");
            CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserError u) {
                cmd.getErr().println("vigil: " + u.getMessage());
                return u.exitCode();
            }
            throw e;
        });
        return cli;
    }

    /** The log as VIGIL_LOG_FORMAT and VIGIL_LOG_LEVEL ask (text and info when unset or unknown), before any flag. */
    private void logFromEnvironment() {
        String format = System.getenv("VIGIL_LOG_FORMAT");
        String level = System.getenv("VIGIL_LOG_LEVEL");
        if ("json".equalsIgnoreCase(format)) {
            logFormat = LogFormat.json;
        }
        if (level != null) {
            try {
                logLevel = Logs.level(level);
            } catch (IllegalArgumentException e) {
                System.err.println("vigil: VIGIL_LOG_LEVEL: " + e.getMessage() + "; logging at info.");
            }
        }
        Logs.configure(logFormat, logLevel, System.err);
    }

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> commands = new LinkedHashMap<>();
        commands.put("analyze", AnalyzeCommand.class);
        commands.put("serve", ServeCommand.class);
        commands.put("detectors", DetectorsCommand.class);
        commands.put("doctor", DoctorCommand.class);
        commands.put("demo", DemoCommand.class);
        commands.put("bench", BenchCommand.class);
        commands.put("completion", CompletionCommand.class);
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
