package io.vigil.engine.transport;

/**
 * The limits of the timed checks, in seconds of the multiplex's own clock (its PCR), TR 101 290's defaults in
 * {@link #STANDARD}.
 *
 * @param patIntervalSeconds longest gap between two PATs on PID 0 (PAT_error)
 * @param pmtIntervalSeconds longest gap between two PMTs on each PMT PID the PAT names (PMT_error)
 * @param pcrIntervalSeconds longest gap between two PCRs on a PCR PID (PCR_repetition_error)
 * @param pcrJumpSeconds how far a PCR may stray from where the bytes since the previous one say it should be,
 *        without its discontinuity_indicator (PCR_discontinuity_indicator_error)
 * @param ptsIntervalSeconds longest gap between two PTSs on an elementary stream (PTS_error)
 * @param pidSilenceSeconds longest silence of a PID the PMT references (PID_error)
 */
public record TsLimits(double patIntervalSeconds, double pmtIntervalSeconds, double pcrIntervalSeconds,
                       double pcrJumpSeconds, double ptsIntervalSeconds, double pidSilenceSeconds) {
    public static final TsLimits STANDARD = new TsLimits(0.5, 0.5, 0.1, 0.1, 0.7, 5.0);

    public TsLimits {
        for (double v : new double[] {patIntervalSeconds, pmtIntervalSeconds, pcrIntervalSeconds, pcrJumpSeconds,
                ptsIntervalSeconds, pidSilenceSeconds}) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("every TS limit must be >= 0 s, got " + v);
            }
        }
    }
}
