package io.vigil.engine.transport;

/**
 * What a {@link TsAnalyzer} found, told on the thread that feeds it. Times are seconds of the multiplex's clock
 * (its reference PCR, 90 kHz units as seconds, unwrapped), extrapolated to the packet by the bytes since the last
 * PCR; NaN before the first PCR.
 */
public interface TsListener {
    /** One occurrence of {@code check} on {@code pid}. */
    void error(TsCheck check, int pid, double clockSeconds);

    /** A splice_info_section whose CRC is right, on {@code pid} (a PID the PMT declares with stream_type 0x86). */
    default void splice(SpliceInfo cue, int pid, double clockSeconds) {
    }
}
