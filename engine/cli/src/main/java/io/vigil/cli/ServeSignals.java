package io.vigil.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serve's signals, taken over before serve starts (its port answering, its streams running), so that a signal sent
 * once serve is seen up always reaches these handlers and never the JVM's own (which ends the process on SIGHUP, and
 * on SIGTERM exits 143 without the clean stop). SIGTERM or SIGINT asks for the stop, which {@link #awaitStop}
 * waits for; a second one ends the process at once. SIGHUP rereads the config file once the runtime is
 * {@link #serving}; one that comes during the start is kept and done then.
 */
final class ServeSignals {
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** The runtime a SIGHUP reloads; null until it is serving (guarded by this). */
    private ServeRuntime runtime;
    /** A SIGHUP came before the runtime was serving (guarded by this). */
    private boolean reloadWaiting;
    /** The handlers these replaced, for {@link #restore}. */
    private final List<Runnable> restores = new ArrayList<>();

    /** Handles SIGTERM, SIGINT and SIGHUP from now on (those the JVM lets go of: a nohup's SIGHUP stays ignored). */
    static ServeSignals install() {
        ServeSignals signals = new ServeSignals();
        for (String name : List.of("TERM", "INT")) {
            signals.handle(name, signals::stopAsked);
        }
        signals.handle("HUP", signals::reloadAsked);
        return signals;
    }

    private void handle(String name, Runnable handler) {
        try {
            sun.misc.Signal signal = new sun.misc.Signal(name);
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(signal, s -> handler.run());
            restores.add(() -> sun.misc.Signal.handle(signal, previous));
        } catch (IllegalArgumentException e) {
            // No such signal here, or the JVM keeps it: the shutdown hook closes the runtime, POST /api/reload reloads.
        }
    }

    /** Puts the handlers from before {@link #install} back: the start failed, and the command returns its error. */
    void restore() {
        restores.forEach(Runnable::run);
        restores.clear();
    }

    /** SIGTERM or SIGINT: the first asks for the stop, a second ends the process now. */
    void stopAsked() {
        if (!stopping.compareAndSet(false, true)) {
            System.err.println("vigil serve: stopping now, without waiting for the streams.");
            Runtime.getRuntime().halt(ServeCommand.EXIT_UNCLEAN_STOP);
        }
        stop.countDown();
    }

    /** SIGHUP: a reload of the serving runtime, or of the runtime once it serves. */
    void reloadAsked() {
        ServeRuntime serving;
        synchronized (this) {
            serving = runtime;
            if (serving == null) {
                reloadWaiting = true;
                return;
            }
        }
        reload(serving);
    }

    /** {@code started} serves now (its file set for reloads): a SIGHUP that came during its start is done now. */
    void serving(ServeRuntime started) {
        boolean waiting;
        synchronized (this) {
            runtime = started;
            waiting = reloadWaiting;
            reloadWaiting = false;
        }
        if (waiting) {
            reload(started);
        }
    }

    /** Blocks until the stop is asked for (at once when it was asked for during the start). */
    void awaitStop() throws InterruptedException {
        stop.await();
    }

    private static void reload(ServeRuntime serving) {
        // On its own thread: a signal handler must return, and a reload waits for streams to stop.
        Thread.ofVirtual().name("vigil-reload").start(() -> ServeCommand.reloadAndSay(serving));
    }
}
