package io.vigil.cli;

import io.vigil.engine.Analysis;
import java.io.PrintStream;
import java.util.Locale;

/** One line on stderr, rewritten in place: where each input is, how fast, as a multiple of real time. */
final class ProgressLine implements Analysis.Progress {
    private final PrintStream err;
    private boolean drawn;

    ProgressLine(PrintStream err) {
        this.err = err;
    }

    @Override
    public synchronized void update(String stream, double position, double duration, long frames, double elapsed) {
        String of = duration > 0 ? String.format(Locale.ROOT, " / %s (%.0f%%)", clock(duration), 100 * position / duration) : "";
        String line = String.format(Locale.ROOT, "%s  %s%s  %.0f fps  %.1fx real time", stream, clock(position), of,
                elapsed > 0 ? frames / elapsed : 0, elapsed > 0 ? position / elapsed : 0);
        err.print("\r\033[K" + line);
        err.flush();
        drawn = true;
    }

    /** Removes the line before other output is written below it. */
    synchronized void clear() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
            drawn = false;
        }
    }

    private static String clock(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
}
