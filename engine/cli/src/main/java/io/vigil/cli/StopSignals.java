package io.vigil.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * SIGINT (Ctrl-C) and SIGTERM handled while a command runs: the first runs {@code onStop} (which asks the work to
 * wind down and report), a second ends the process at once. {@link #exitCode} is then the shell's 128 + the signal's
 * number (130, 143). The JVM's own handling would exit without the work's last words; closing puts it back.
 */
final class StopSignals implements AutoCloseable {
    private record Installed(sun.misc.Signal signal, sun.misc.SignalHandler previous) {
    }

    private final List<Installed> installed = new ArrayList<>();
    private volatile int received;

    private StopSignals() {
    }

    static StopSignals install(Runnable onStop) {
        StopSignals signals = new StopSignals();
        for (String name : List.of("INT", "TERM")) {
            sun.misc.Signal signal = new sun.misc.Signal(name);
            try {
                sun.misc.SignalHandler previous = sun.misc.Signal.handle(signal, s -> signals.received(s, onStop));
                signals.installed.add(new Installed(signal, previous));
            } catch (IllegalArgumentException e) {
                // Ignored at start (a background job's SIGINT) or kept by the JVM: left as it is.
            }
        }
        return signals;
    }

    private void received(sun.misc.Signal signal, Runnable onStop) {
        synchronized (this) {
            if (received != 0) {
                Runtime.getRuntime().halt(128 + signal.getNumber());
            }
            received = signal.getNumber();
        }
        onStop.run();
    }

    /** 128 + the number of the first signal received, if one was. */
    OptionalInt exitCode() {
        int n = received;
        return n == 0 ? OptionalInt.empty() : OptionalInt.of(128 + n);
    }

    @Override
    public void close() {
        for (Installed i : installed) {
            sun.misc.Signal.handle(i.signal(), i.previous());
        }
        installed.clear();
    }
}
