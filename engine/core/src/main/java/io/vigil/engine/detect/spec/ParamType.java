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

    /** What one of each duration unit is in seconds. */
    private static final java.util.Map<String, Double> DURATION_UNITS =
            java.util.Map.of("ms", 0.001, "s", 1.0, "m", 60.0, "h", 3600.0);

    /**
     * A duration counted in {@code unit} (ms, s, m or h): a bare number is in {@code unit}, else the number carries
     * its own ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}). Throws {@link IllegalArgumentException}
     * ("must be ...") for anything else.
     */
    public static double duration(String text, String unit) {
        Double per = DURATION_UNITS.get(unit);
        if (per == null) {
            throw new IllegalStateException("not a duration unit: " + unit);
        }
        String s = text.trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([-+0-9.eE]+)\\s*(ms|s|m|h)?").matcher(s);
        if (m.matches()) {
            try {
                double value = Double.parseDouble(m.group(1));
                return m.group(2) == null ? value : value * DURATION_UNITS.get(m.group(2)) / per;
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("must be a duration such as 500ms, 5s, 2m or 1h (a bare number is in "
                + unit + "), got '" + s + "'");
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
