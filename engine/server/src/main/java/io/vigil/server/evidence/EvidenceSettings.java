package io.vigil.server.evidence;

import java.nio.file.Path;

/**
 * What {@code vigil serve} keeps of each alarm (the YAML's {@code evidence:}).
 *
 * @param enabled whether alarms keep start pictures and clips at all
 * @param dir the folder; null: {@code <server.stateDir>/evidence}, else {@code ~/.vigil/evidence}
 * @param keepHours how long a picture or clip is kept
 * @param maxMegabytes how much the folder holds at most; the oldest files leave first
 * @param clips whether alarms get clips (pictures need no packets kept in memory)
 * @param preSeconds how long before an alarm's start its clip begins
 * @param postSeconds how long after an alarm fired its clip ends
 * @param bufferSeconds how many seconds of each stream's packets are kept in memory for clips
 * @param bufferMegabytes how many megabytes of each stream's packets are kept in memory at most
 */
public record EvidenceSettings(boolean enabled, Path dir, double keepHours, double maxMegabytes, boolean clips,
                               double preSeconds, double postSeconds, double bufferSeconds, double bufferMegabytes) {
    public static final EvidenceSettings DEFAULTS = new EvidenceSettings(true, null, 24, 1024, true, 5, 5, 30, 32);
    /** Evidence off: no pictures, no clips, no packets kept. */
    public static final EvidenceSettings OFF = new EvidenceSettings(false, null, 24, 1024, false, 5, 5, 30, 32);

    public EvidenceSettings {
        if (!(keepHours > 0) || !(maxMegabytes > 0) || !(preSeconds >= 0) || !(postSeconds >= 0)
                || !(bufferSeconds > 0) || !(bufferMegabytes > 0)) {
            throw new IllegalArgumentException("evidence settings must be positive");
        }
    }

    /** The folder to use: {@link #dir}, else one under {@code stateDir} (when not null), else under the home. */
    public Path folder(Path stateDir) {
        if (dir != null) {
            return dir;
        }
        return stateDir != null ? stateDir.resolve("evidence")
                : Path.of(System.getProperty("user.home"), ".vigil", "evidence");
    }

    public long maxBytes() {
        return Math.round(maxMegabytes * 1024 * 1024);
    }

    public long bufferBytes() {
        return Math.round(bufferMegabytes * 1024 * 1024);
    }

    public EvidenceSettings withDir(Path folder) {
        return new EvidenceSettings(enabled, folder, keepHours, maxMegabytes, clips, preSeconds, postSeconds,
                bufferSeconds, bufferMegabytes);
    }
}
