package io.vigil.cli;

/**
 * Whether stdout and stderr are terminals. Java cannot ask for stderr, so the {@code ./vigil} launcher tells through
 * {@code VIGIL_STDOUT_TTY} and {@code VIGIL_STDERR_TTY} (1 or 0); without them, the console is asked.
 */
final class Terminal {
    private Terminal() {
    }

    static boolean stdout() {
        return flag("VIGIL_STDOUT_TTY");
    }

    static boolean stderr() {
        return flag("VIGIL_STDERR_TTY");
    }

    private static boolean flag(String name) {
        String v = System.getenv(name);
        if (v != null) {
            return v.equals("1");
        }
        var console = System.console();
        return console != null && console.isTerminal();
    }
}
