package io.vigil.engine.detect.spec;

import java.util.Locale;

/** The kinds of value a detector parameter takes, as config files, the API and {@code vigil detectors} name them. */
public enum ParamType {
    /** A real number within the parameter's range. */
    NUMBER("number"),
    /** A whole number within the parameter's range (a count of samples, rows, changes). */
    INTEGER("integer"),
    /**
     * An amplitude, as FFmpeg's detectors take it: a ratio of full scale ({@code 0.001}) or a level in decibels
     * ({@code -60dB}); at most full scale.
     */
    LEVEL("level"),
    /** {@code true} or {@code false} ({@code yes}/{@code no}, {@code on}/{@code off} in YAML). */
    FLAG("flag"),
    /**
     * Picture files: one path, or several separated by commas (a YAML list too), each a readable file when the
     * config is read; empty for none.
     */
    FILES("files");

    private final String wireName;

    ParamType(String wireName) {
        this.wireName = wireName;
    }

    /** The name config docs, the OpenAPI schema and {@code vigil detectors} give the type. */
    public String wireName() {
        return wireName;
    }

    /** The paths of a {@link #FILES} value, in order; none for an empty one. */
    public static java.util.List<java.nio.file.Path> paths(String files) {
        return java.util.Arrays.stream(files.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(java.nio.file.Path::of).toList();
    }

    /**
     * The ratio of a level: a number as it is, text such as {@code -60dB} converted; throws
     * {@link IllegalArgumentException} ("must be ...") for anything else.
     */
    public static double ratio(Object level) {
        if (level instanceof Number n) {
            return n.doubleValue();
        }
        String s = String.valueOf(level).trim();
        if (s.toLowerCase(Locale.ROOT).endsWith("db")) {
            try {
                return Math.pow(10, Double.parseDouble(s.substring(0, s.length() - 2).trim()) / 20);
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("must be a ratio such as 0.001 or a level such as -60dB, got '" + s + "'");
    }
}
