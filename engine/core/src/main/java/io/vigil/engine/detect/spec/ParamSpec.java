package io.vigil.engine.detect.spec;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * One parameter of a detector, declared once in its {@link DetectorSpec} as GStreamer's {@code GParamSpec} declares
 * a property: its name, type, unit, default, range and one line of doc. Config files, the API and
 * {@code vigil detectors} all read it from here, and {@link #parse} is the one check of a value.
 *
 * @param unit what the number counts ("s", "LUFS", "rows"; empty for a plain ratio or a flag)
 * @param defaultValue a {@link Double}, a {@link Boolean}, or a level's text ("-60dB")
 * @param min smallest value allowed (a level's as a ratio)
 * @param max largest value allowed (a level's as a ratio)
 * @param doc what the parameter means, one line
 * @param note why the default is what it is (shown beside it in the README), or empty
 */
public record ParamSpec(String name, ParamType type, String unit, Object defaultValue, double min, double max,
                        String doc, String note) {
    /** The longest a timing parameter may be, as the common {@code duration} and {@code clearDelay}: a day. */
    public static final double MAX_SECONDS = 86400;

    public static ParamSpec number(String name, double defaultValue, double min, double max, String unit, String doc) {
        return new ParamSpec(name, ParamType.NUMBER, unit, defaultValue, min, max, doc, "");
    }

    public static ParamSpec integer(String name, int defaultValue, int min, int max, String unit, String doc) {
        return new ParamSpec(name, ParamType.INTEGER, unit, (double) defaultValue, min, max, doc, "");
    }

    /** A duration in seconds, 0 to a day. */
    public static ParamSpec seconds(String name, double defaultValue, String doc) {
        return new ParamSpec(name, ParamType.NUMBER, "s", defaultValue, 0, MAX_SECONDS, doc, "");
    }

    /** An amplitude, as a ratio or in dB, at most full scale; {@code defaultValue} as written ("-60dB"). */
    public static ParamSpec level(String name, String defaultValue, String doc) {
        return new ParamSpec(name, ParamType.LEVEL, "", defaultValue, 0, 1, doc, "");
    }

    public static ParamSpec flag(String name, boolean defaultValue, String doc) {
        return new ParamSpec(name, ParamType.FLAG, "", defaultValue, 0, 1, doc, "");
    }

    /** Picture files (none by default): one path or several, comma-separated; each must be readable. */
    public static ParamSpec files(String name, String doc) {
        return new ParamSpec(name, ParamType.FILES, "", "", 0, 0, doc, "");
    }

    public ParamSpec withNote(String why) {
        return new ParamSpec(name, type, unit, defaultValue, min, max, doc, why);
    }

    /**
     * The value of {@code text} (a config file's or the API's scalar) as this parameter keeps it: a {@link Double}, a
     * {@link Boolean}, or a level in dB as written. Throws {@link IllegalArgumentException} with what is wrong
     * ("must be between 0 and 1, got 2"), for the caller to prefix with where.
     */
    public Object parse(String text) {
        return switch (type) {
            case FLAG -> switch (text) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw new IllegalArgumentException("must be true or false, got '" + text + "'");
            };
            case NUMBER -> inRange(isDuration() ? ParamType.duration(text, unit) : number(text), text);
            case INTEGER -> {
                double d = inRange(number(text), text);
                if (d != Math.rint(d)) {
                    throw new IllegalArgumentException("must be a whole number, got " + text);
                }
                yield d;
            }
            case LEVEL -> level(text);
            case FILES -> files(text);
        };
    }

    /**
     * Whether this is a duration (a number of unit {@code s} or {@code ms}): it may then be written with a unit of its
     * own, {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, and a bare number is in its unit.
     */
    public boolean isDuration() {
        return type == ParamType.NUMBER && (unit.equals("s") || unit.equals("ms"));
    }

    /** The paths as written, comma-separated and trimmed, once each is known to be a readable file. */
    private static String files(String text) {
        java.util.List<java.nio.file.Path> paths = ParamType.paths(text);
        for (java.nio.file.Path p : paths) {
            if (!java.nio.file.Files.isRegularFile(p) || !java.nio.file.Files.isReadable(p)) {
                throw new IllegalArgumentException("must name readable picture files, and " + p + " is not one");
            }
        }
        return String.join(", ", paths.stream().map(java.nio.file.Path::toString).toList());
    }

    private static double number(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a number, got '" + text + "'", e);
        }
    }

    private double inRange(double d, String text) {
        if (!(d >= min && d <= max)) {
            throw new IllegalArgumentException("must be between " + bound(min) + " and " + bound(max) + ", got " + text);
        }
        return d;
    }

    /** A ratio is kept as a number, a level in dB as written. */
    private Object level(String text) {
        boolean plain = text.matches("[-+0-9.eE]+");
        double ratio;
        try {
            ratio = ParamType.ratio(plain ? (Object) Double.parseDouble(text) : text);
        } catch (NumberFormatException e) {
            ratio = ParamType.ratio(text);
        }
        if (!(ratio >= min && ratio <= max)) {
            throw new IllegalArgumentException("must be between " + bound(min) + " and " + bound(max)
                    + " (0 dB), got '" + text + "'");
        }
        return plain ? (Object) ratio : text;
    }

    /** This parameter's value in {@code settings} as a number: a level's ratio, a flag's 1 or 0. */
    public double numberIn(DetectorSettings settings) {
        return switch (type) {
            case NUMBER, INTEGER -> settings.number(name);
            case LEVEL -> settings.amplitude(name);
            case FLAG -> settings.flag(name) ? 1 : 0;
            case FILES -> throw new IllegalStateException(name + " names files, not a number");
        };
    }

    /** The default as people write it: 0.98, 3, -60dB, false. */
    public String defaultText() {
        return defaultValue instanceof Double d ? plain(d) : String.valueOf(defaultValue);
    }

    /** The default for docs: a level in dB with its ratio ("-60dB (0.001)"), anything else as written. */
    public String defaultForDocs() {
        if (type == ParamType.FILES) {
            return "none";
        }
        return type == ParamType.LEVEL && defaultValue instanceof String
                ? defaultText() + " (" + plain(ParamType.ratio(defaultValue)) + ")" : defaultText();
    }

    /** The type for docs, with the unit: "number, LUFS", "duration, s", "level (ratio or dB)", "flag". */
    public String typeForDocs() {
        if (isDuration()) {
            return "duration, " + unit;
        }
        return switch (type) {
            case LEVEL -> "level (ratio or dB)";
            case FLAG -> "flag";
            case FILES -> "files";
            case NUMBER, INTEGER -> type.wireName() + (unit.isEmpty() ? "" : ", " + unit);
        };
    }

    /** The range for docs: "0..1", "-70..0", a level's "0..1 (0 dB)", a flag's "true or false". */
    public String rangeForDocs() {
        return switch (type) {
            case FLAG -> "true or false";
            case FILES -> "paths, comma-separated";
            case LEVEL -> plain(min) + ".." + plain(max) + " (0 dB)";
            case NUMBER, INTEGER -> plain(min) + ".." + plain(max);
        };
    }

    /** A range bound as error messages give it: 10, not 10.0. */
    public static String bound(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** A number for people: at most 4 significant digits, no exponent (0.0941, 86400, 0.0002). */
    public static String plain(double d) {
        return new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
