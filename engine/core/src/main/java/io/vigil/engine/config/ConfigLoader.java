package io.vigil.engine.config;

import io.vigil.engine.alarm.Severity;
import io.vigil.kernels.engine.BackendChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.SequencedMap;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Reads a vigil YAML file over the defaults. Every key is checked: an unknown key, a wrong type or a value out
 * of range is refused with "FILE:LINE: key.path: what is wrong".
 *
 * <pre>
 * detectors:
 *   black:   {enabled: true, duration: 2, clearDelay: 0, severity: critical, pictureThreshold: 0.98, pixelThreshold: 0.10}
 *   freeze:  {duration: 2, noise: -60dB}
 *   silence: {duration: 2, noise: -60dB}
 * decode:
 *   threads: 0
 *   ioTimeout: 10
 * backend: auto            # auto, cpu or gpu
 * gpu:
 *   device: 0
 *   maxBatch: 128
 *   maxLatencyMs: 10
 * </pre>
 */
public final class ConfigLoader {
    private static final Set<String> COMMON_KEYS = Set.of("enabled", "duration", "clearDelay", "severity");
    /** Detector parameters that are not ratios (levels in their own units, counts, correlations): their ranges. */
    private static final java.util.Map<String, double[]> LEVEL_RANGES = java.util.Map.ofEntries(
            java.util.Map.entry("detectors.loudness.target", new double[] {-70, 0}),
            java.util.Map.entry("detectors.loudness.tolerance", new double[] {0.1, 30}),
            java.util.Map.entry("detectors.loudness.truePeakCeiling", new double[] {-30, 6}),
            java.util.Map.entry("detectors.clipping.minRun", new double[] {1, 1000}),
            java.util.Map.entry("detectors.clipping.eventsPerSecond", new double[] {1, 10000}),
            java.util.Map.entry("detectors.phase.correlation", new double[] {-1, 1}),
            java.util.Map.entry("detectors.flash.changeCdm2", new double[] {1, 100}),
            java.util.Map.entry("detectors.flash.maxOpposingChanges", new double[] {1, 50}),
            java.util.Map.entry("detectors.letterbox.toleranceRows", new double[] {0, 4096}),
            java.util.Map.entry("detectors.blockiness.threshold", new double[] {1, 100}),
            java.util.Map.entry("detectors.blur.threshold", new double[] {1, 100}));

    private final String file;
    private final YamlNodes nodes;

    private ConfigLoader(String file) {
        this.file = file;
        this.nodes = new YamlNodes(file);
    }

    public static VigilConfig load(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException("Cannot read config file " + path + ": " + e.getMessage());
        }
        return parse(path.toString(), text);
    }

    public static VigilConfig parse(String file, String yaml) {
        return new ConfigLoader(file).read(yaml);
    }

    private VigilConfig read(String yaml) {
        Node root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(file).build()).composeString(yaml).orElse(null);
        } catch (YamlEngineException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return root == null ? VigilConfig.defaults() : read(root, VigilConfig.defaults());
    }

    /**
     * Reads the mapping {@code root} (the analyze file's top level, or a section of a larger file such as
     * {@code vigil serve}'s {@code defaults}) over {@code config}; errors name {@code file} and the node's line.
     */
    public static VigilConfig read(String file, Node root, VigilConfig config) {
        return new ConfigLoader(file).read(root, config);
    }

    /** Reads a {@code detectors} mapping node over {@code base}, as in the analyze file (errors with file:line). */
    public static SequencedMap<String, DetectorSettings> readDetectors(String file, Node node,
                                                                      SequencedMap<String, DetectorSettings> base) {
        return new ConfigLoader(file).readDetectors(node, base);
    }

    private VigilConfig read(Node root, VigilConfig config) {
        SequencedMap<String, DetectorSettings> detectors = config.detectors();
        int threads = config.decodeThreads();
        Duration timeout = config.ioTimeout();
        BackendChoice backend = config.backend();
        VigilConfig.Gpu gpu = config.gpu();
        for (NodeTuple t : nodes.mapping(root, "the top level").getValue()) {
            String key = nodes.key(t);
            switch (key) {
                case "detectors" -> detectors = readDetectors(t.getValueNode(), detectors);
                case "decode" -> {
                    for (NodeTuple d : nodes.mapping(t.getValueNode(), "decode").getValue()) {
                        String k = nodes.key(d);
                        switch (k) {
                            case "threads" -> threads = (int) nodes.number(d.getValueNode(), "decode.threads", 0, 64);
                            case "ioTimeout" -> timeout = Duration.ofMillis(
                                    Math.round(1000 * nodes.number(d.getValueNode(), "decode.ioTimeout", 0.1, 3600)));
                            default -> throw nodes.unknown(d.getKeyNode(), "decode." + k, Set.of("threads", "ioTimeout"));
                        }
                    }
                }
                case "backend" -> {
                    try {
                        backend = BackendChoice.parse(nodes.scalar(t.getValueNode(), "backend"));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(nodes.where(t.getValueNode()) + "backend: " + e.getMessage());
                    }
                }
                case "gpu" -> gpu = readGpu(t.getValueNode(), gpu);
                default -> throw nodes.unknown(t.getKeyNode(), key, Set.of("detectors", "decode", "backend", "gpu"));
            }
        }
        return new VigilConfig(detectors, threads, timeout, backend, gpu);
    }

    private VigilConfig.Gpu readGpu(Node node, VigilConfig.Gpu base) {
        int device = base.device();
        int maxBatch = base.maxBatch();
        Duration latency = base.maxLatency();
        for (NodeTuple g : nodes.mapping(node, "gpu").getValue()) {
            String k = nodes.key(g);
            switch (k) {
                case "device" -> device = (int) nodes.number(g.getValueNode(), "gpu.device", 0, 63);
                case "maxBatch" -> maxBatch = (int) nodes.number(g.getValueNode(), "gpu.maxBatch", 1, 1024);
                case "maxLatencyMs" -> latency = Duration.ofMillis(
                        Math.round(nodes.number(g.getValueNode(), "gpu.maxLatencyMs", 0, 10_000)));
                default -> throw nodes.unknown(g.getKeyNode(), "gpu." + k, Set.of("device", "maxBatch", "maxLatencyMs"));
            }
        }
        return new VigilConfig.Gpu(device, maxBatch, latency);
    }

    private SequencedMap<String, DetectorSettings> readDetectors(Node node, SequencedMap<String, DetectorSettings> base) {
        SequencedMap<String, DetectorSettings> out = new LinkedHashMap<>(base);
        for (NodeTuple t : nodes.mapping(node, "detectors").getValue()) {
            String name = nodes.key(t);
            DetectorSettings s = out.get(name);
            if (s == null) {
                String hint = Defaults.RESERVED.contains(name) ? " (not available in this version)" : "";
                throw new ConfigException(nodes.where(t.getKeyNode()) + "detectors." + name + ": unknown detector" + hint
                        + "; known: " + String.join(", ", Defaults.DETECTORS));
            }
            double duration = s.durationSeconds();
            double clearDelay = s.clearDelaySeconds();
            Severity severity = s.severity();
            boolean enabled = s.enabled();
            for (NodeTuple p : nodes.mapping(t.getValueNode(), "detectors." + name).getValue()) {
                String k = nodes.key(p);
                String path = "detectors." + name + "." + k;
                Node v = p.getValueNode();
                switch (k) {
                    case "enabled" -> enabled = bool(v, path);
                    case "duration" -> duration = nodes.number(v, path, 0, 86400);
                    case "clearDelay" -> clearDelay = nodes.number(v, path, 0, 86400);
                    case "severity" -> {
                        try {
                            severity = Severity.parse(nodes.scalar(v, path));
                        } catch (IllegalArgumentException e) {
                            throw new ConfigException(nodes.where(v) + path + ": " + e.getMessage());
                        }
                    }
                    default -> {
                        if (!s.parameters().containsKey(k)) {
                            Set<String> known = new java.util.TreeSet<>(COMMON_KEYS);
                            known.addAll(s.parameters().keySet());
                            throw nodes.unknown(p.getKeyNode(), path, known);
                        }
                        Object value = parameter(v, path, s.parameters().get(k));
                        s = s.with(k, value);
                    }
                }
            }
            out.put(name, s.withEnabled(enabled).withTiming(duration, clearDelay, severity));
        }
        return out;
    }

    /** A detector threshold: ratios 0..1, or a dB level where the default is one. */
    private Object parameter(Node v, String path, Object defaultValue) {
        if (defaultValue instanceof Boolean) {
            return bool(v, path);
        }
        if (LEVEL_RANGES.containsKey(path)) {
            return nodes.number(v, path, LEVEL_RANGES.get(path)[0], LEVEL_RANGES.get(path)[1]);
        }
        if (path.endsWith("Seconds")) {
            return nodes.number(v, path, 0, 86400);
        }
        if (defaultValue instanceof String) {
            String s = nodes.scalar(v, path);
            try {
                double ratio = DetectorSettings.amplitude(path, s.matches("[-+0-9.eE]+") ? (Object) Double.parseDouble(s) : s);
                if (!(ratio >= 0 && ratio <= 1)) {
                    throw new ConfigException(path + " must be at most 1 (0 dB), got '" + s + "'");
                }
                return s.matches("[-+0-9.eE]+") ? (Object) ratio : s;
            } catch (ConfigException e) {
                throw new ConfigException(nodes.where(v) + e.getMessage());
            }
        }
        return nodes.number(v, path, 0, 1);
    }

    private boolean bool(Node v, String path) {
        String s = nodes.scalar(v, path);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(nodes.where(v) + path + ": must be true or false, got '" + s + "'");
        };
    }
}
