package io.vigil.engine.config;

import io.vigil.engine.alarm.Severity;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.DetectorSettings;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.kernels.engine.BackendChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.SequencedMap;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Reads a vigil YAML file over the defaults. Every key is checked: an unknown key, a wrong type or a value out
 * of range is refused with "FILE:LINE: key.path: what is wrong"; a detector's parameters against its
 * {@link ParamSpec}s (type, range), as its spec declares them. Values are read through {@link YamlNodes}:
 * {@code ${VAR}} from the environment, durations with units ({@code duration: 500ms}, {@code ioTimeout: 2m}).
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

    private final YamlNodes nodes;

    private ConfigLoader(YamlNodes nodes) {
        this.nodes = nodes;
    }

    /** The file at {@code path}, its {@code ${VAR}}s from the process's environment. */
    public static VigilConfig load(Path path) {
        return parse(path.toString(), YamlNodes.readFile(path), System.getenv());
    }

    /** {@code yaml} as the file named {@code file}, without variable substitution. */
    public static VigilConfig parse(String file, String yaml) {
        return read(new YamlNodes(file), yaml);
    }

    /** {@code yaml} as the file named {@code file}, its {@code ${VAR}}s from {@code environment}. */
    public static VigilConfig parse(String file, String yaml, java.util.Map<String, String> environment) {
        return read(YamlNodes.file(file, environment), yaml);
    }

    private static VigilConfig read(YamlNodes nodes, String yaml) {
        Node root = nodes.compose(yaml);
        return root == null ? VigilConfig.defaults() : new ConfigLoader(nodes).read(root, VigilConfig.defaults());
    }

    /**
     * Reads the mapping {@code root} (the analyze file's top level, or a section of a larger file such as
     * {@code vigil serve}'s {@code defaults}) over {@code config}; errors as {@code nodes} gives them.
     */
    public static VigilConfig read(YamlNodes nodes, Node root, VigilConfig config) {
        return new ConfigLoader(nodes).read(root, config);
    }

    /** Reads a {@code detectors} mapping node over {@code base}, as in the analyze file. */
    public static SequencedMap<String, DetectorSettings> readDetectors(YamlNodes nodes, Node node,
                                                                      SequencedMap<String, DetectorSettings> base) {
        return new ConfigLoader(nodes).readDetectors(node, base);
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
                                    Math.round(1000 * nodes.seconds(d.getValueNode(), "decode.ioTimeout", 0.1, 3600)));
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
                        Math.round(nodes.duration(g.getValueNode(), "gpu.maxLatencyMs", "ms", 0, 10_000)));
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
                DetectorRegistry registry = DetectorRegistry.standard();
                String hint = registry.reserved().contains(name) ? " (not available in this version)" : "";
                throw new ConfigException(nodes.where(t.getKeyNode()) + "detectors." + name + ": unknown detector" + hint
                        + "; known: " + String.join(", ", registry.names()));
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
                    case "enabled" -> enabled = nodes.bool(v, path);
                    case "duration" -> duration = nodes.seconds(v, path, 0, ParamSpec.MAX_SECONDS);
                    case "clearDelay" -> clearDelay = nodes.seconds(v, path, 0, ParamSpec.MAX_SECONDS);
                    case "severity" -> {
                        try {
                            severity = Severity.parse(nodes.scalar(v, path));
                        } catch (IllegalArgumentException e) {
                            throw new ConfigException(nodes.where(v) + path + ": " + e.getMessage());
                        }
                    }
                    default -> {
                        DetectorSpec detector = DetectorRegistry.standard().spec(name);
                        ParamSpec spec = detector.parameter(k);
                        if (spec == null) {
                            Set<String> known = new java.util.TreeSet<>(COMMON_KEYS);
                            detector.parameters().forEach(q -> known.add(q.name()));
                            throw nodes.unknown(p.getKeyNode(), path, known);
                        }
                        s = s.with(k, parameter(v, path, spec));
                    }
                }
            }
            out.put(name, s.withEnabled(enabled).withTiming(duration, clearDelay, severity));
        }
        return out;
    }

    /** A detector parameter, checked against its spec. */
    private Object parameter(Node v, String path, ParamSpec spec) {
        // Files may come as a YAML list: the same as written comma-separated.
        String text = spec.type() == io.vigil.engine.detect.spec.ParamType.FILES
                && v instanceof org.snakeyaml.engine.v2.nodes.SequenceNode
                ? String.join(", ", nodes.list(v, path).stream().map(n -> nodes.scalar(n, path)).toList())
                : nodes.scalar(v, path);
        try {
            return spec.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(nodes.where(v) + path + ": " + e.getMessage());
        }
    }
}
