package io.vigil.engine.alarm;

import java.util.Locale;

/** The PagerDuty Events v2 scale. */
public enum Severity {
    CRITICAL, ERROR, WARNING, INFO;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; throws IllegalArgumentException naming the allowed values. */
    public static Severity parse(String s) {
        for (Severity v : values()) {
            if (v.wireName().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("severity must be one of critical, error, warning, info; got '" + s + "'");
    }
}
