package io.vigil.server.http;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4 for tests: every line a HELP or TYPE comment, a blank, or a
 * sample of a family whose TYPE came first; names and label values as the format spells them; histograms cumulative
 * with +Inf equal to _count. Throws AssertionError with the line on anything else.
 */
final class PrometheusParser {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)})? (\\S+)( -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(Inf|NaN|\\d+(\\.\\d*)?([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?)");

    /** Every family's TYPE, and every sample as {@code name{labels}} (labels sorted) to its value. */
    record Parsed(Map<String, String> types, Map<String, Double> samples) {
        double value(String series) {
            Double v = samples.get(series);
            if (v == null) {
                throw new AssertionError("no sample " + series + " in " + samples.keySet());
            }
            return v;
        }
    }

    static Parsed parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, Double> lastBucket = new HashMap<>();
        if (!text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a line feed");
        }
        for (String line : text.split("\n")) {
            Matcher m;
            if (line.isEmpty() || HELP.matcher(line).matches()) {
                continue;
            }
            if ((m = TYPE.matcher(line)).matches()) {
                if (types.put(m.group(1), m.group(2)) != null) {
                    throw new AssertionError("second TYPE for " + m.group(1));
                }
                continue;
            }
            if (line.startsWith("#")) {
                throw new AssertionError("unknown comment: " + line);
            }
            if (!(m = SAMPLE.matcher(line)).matches()) {
                throw new AssertionError("not a sample: " + line);
            }
            String name = m.group(1);
            String family = name.replaceFirst("_(bucket|sum|count)$", "");
            String type = types.containsKey(name) ? types.get(name) : types.get(family);
            if (type == null) {
                throw new AssertionError("sample before its TYPE: " + line);
            }
            Map<String, String> labels = new java.util.TreeMap<>();
            if (m.group(3) != null && !m.group(3).isEmpty()) {
                Matcher l = LABEL.matcher(m.group(3));
                int at = 0;
                while (at < m.group(3).length()) {
                    if (!l.find(at) || l.start() != at) {
                        throw new AssertionError("bad labels: " + line);
                    }
                    labels.put(l.group(1), l.group(2));
                    at = l.end();
                }
            }
            if (!FLOAT.matcher(m.group(4)).matches()) {
                throw new AssertionError("bad value: " + line);
            }
            double value = m.group(4).endsWith("Inf") ? (m.group(4).startsWith("-") ? Double.NEGATIVE_INFINITY
                    : Double.POSITIVE_INFINITY) : Double.parseDouble(m.group(4));
            if (name.endsWith("_bucket") && type.equals("histogram")) {
                String le = labels.get("le");
                if (le == null) {
                    throw new AssertionError("bucket without le: " + line);
                }
                Map<String, String> rest = new java.util.TreeMap<>(labels);
                rest.remove("le");
                String key = family + rest;
                Double before = lastBucket.put(key, value);
                if (before != null && value < before) {
                    throw new AssertionError("buckets not cumulative: " + line);
                }
            }
            if (name.endsWith("_count") && type.equals("histogram")) {
                Double inf = lastBucket.get(family + labels);
                if (inf == null || inf != value) {
                    throw new AssertionError("+Inf bucket " + inf + " is not _count: " + line);
                }
            }
            String series = name + labels;
            if (samples.put(series, value) != null) {
                throw new AssertionError("duplicate series: " + line);
            }
        }
        return new Parsed(types, samples);
    }
}
