package io.vigil.kernels.engine;

import java.util.Locale;

/** What {@code --backend} and the config's {@code backend} ask for. */
public enum BackendChoice {
    /** The GPU when this host has a usable one, else the CPU, silently. */
    AUTO,
    CPU,
    /** The GPU or a clear error. */
    GPU;

    public static BackendChoice parse(String s) {
        for (BackendChoice c : values()) {
            if (c.name().toLowerCase(Locale.ROOT).equals(s)) {
                return c;
            }
        }
        throw new IllegalArgumentException("backend must be auto, cpu or gpu; got '" + s + "'");
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
