package io.vigil.engine.log;

/** How log lines are written on stderr: {@code text} for people, {@code json} (one object per line) for collectors. */
public enum LogFormat {
    text, json
}
