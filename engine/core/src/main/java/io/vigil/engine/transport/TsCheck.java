package io.vigil.engine.transport;

/** The ETSI TR 101 290 checks vigil makes, priority 1 and 2, with the names and priorities the standard gives. */
public enum TsCheck {
    TS_SYNC_LOSS("TS_sync_loss", 1),
    SYNC_BYTE_ERROR("Sync_byte_error", 1),
    PAT_ERROR("PAT_error", 1),
    CONTINUITY_COUNT_ERROR("Continuity_count_error", 1),
    PMT_ERROR("PMT_error", 1),
    PID_ERROR("PID_error", 1),
    TRANSPORT_ERROR("Transport_error", 2),
    CRC_ERROR("CRC_error", 2),
    PCR_REPETITION_ERROR("PCR_repetition_error", 2),
    PCR_DISCONTINUITY_INDICATOR_ERROR("PCR_discontinuity_indicator_error", 2),
    PTS_ERROR("PTS_error", 2);

    private static final TsCheck[] ALL = values();
    private final String standardName;
    private final int priority;

    TsCheck(String standardName, int priority) {
        this.standardName = standardName;
        this.priority = priority;
    }

    /** The name as TR 101 290 writes it: the contract's {@code check}. */
    public String standardName() {
        return standardName;
    }

    public int priority() {
        return priority;
    }

    /** The check named {@code name} as the standard writes it, or null. */
    public static TsCheck byStandardName(String name) {
        for (TsCheck c : ALL) {
            if (c.standardName.equals(name)) {
                return c;
            }
        }
        return null;
    }
}
