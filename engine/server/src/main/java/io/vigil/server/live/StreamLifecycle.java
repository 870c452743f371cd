package io.vigil.server.live;

/**
 * Hears when a stream's analysis starts to run and when it no longer does (stopped, or quarantined): what a crash
 * record keeps, on one node ({@link CrashRecord}) or across a fleet. Called on the stream's own thread, before its
 * analysis opens anything and after it has stopped.
 */
public interface StreamLifecycle {
    StreamLifecycle NONE = new StreamLifecycle() {
        @Override
        public void analysing(String id) {
        }

        @Override
        public void idle(String id) {
        }
    };

    void analysing(String id);

    void idle(String id);
}
