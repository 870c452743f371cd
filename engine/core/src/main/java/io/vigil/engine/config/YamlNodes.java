package io.vigil.engine.config;

import io.vigil.engine.detect.spec.ParamSpec;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reading one YAML config file's nodes with errors people can act on: every {@link ConfigException} starts with
 * {@code file:line: path:} and says in one sentence what is wrong. Shared by the analyze and serve config loaders.
 */
public final class YamlNodes {
    private final String file;

    /** @param file the name errors give for the file */
    public YamlNodes(String file) {
        this.file = file;
    }

    /** {@code file:line: } of a node, for the start of an error message. */
    /** The text of a config file, or the one-line error that says why it cannot be read. */
    public static String readFile(java.nio.file.Path path) {
        try {
            return java.nio.file.Files.readString(path);
        } catch (java.io.IOException e) {
            throw new ConfigException("Cannot read config file " + path + ": " + e.getMessage());
        }
    }

    public String where(Node node) {
        return file + node.getStartMark().map(m -> ":" + (m.getLine() + 1)).orElse("") + ": ";
    }

    /** A scalar's text (YAML null reads as its text, "null" or "~"). */
    public String scalar(Node v, String path) {
        if (v instanceof ScalarNode s) {
            return s.getValue();
        }
        throw new ConfigException(where(v) + path + ": must be a single value");
    }

    /** A scalar's text, a YAML null refused. */
    public String text(Node v, String path) {
        if (v instanceof ScalarNode s && !isNull(v)) {
            return s.getValue();
        }
        throw new ConfigException(where(v) + path + ": must be a single value");
    }

    public static boolean isNull(Node v) {
        return v instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    /** A number within {@code min..max}. */
    public double number(Node v, String path, double min, double max) {
        String s = scalar(v, path);
        double d;
        try {
            d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new ConfigException(where(v) + path + ": must be a number, got '" + s + "'");
        }
        if (!(d >= min && d <= max)) {
            throw new ConfigException(where(v) + path + ": must be between " + fmt(min) + " and " + fmt(max) + ", got " + s);
        }
        return d;
    }

    /** true/yes/on or false/no/off. */
    public boolean bool(Node v, String path) {
        String s = scalar(v, path);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(where(v) + path + ": must be true or false, got '" + s + "'");
        };
    }

    public MappingNode mapping(Node v, String path) {
        if (v instanceof MappingNode m) {
            return m;
        }
        throw new ConfigException(where(v) + path + ": must be a mapping of keys to values");
    }

    public List<Node> list(Node v, String path) {
        if (v instanceof SequenceNode s) {
            return s.getValue();
        }
        throw new ConfigException(where(v) + path + ": must be a list");
    }

    /** A mapping entry's key. */
    public String key(NodeTuple t) {
        return scalar(t.getKeyNode(), "key");
    }

    public ConfigException unknown(Node at, String path, Set<String> known) {
        return new ConfigException(where(at) + path + ": unknown key; known here: "
                + String.join(", ", new TreeSet<>(known)));
    }

    /** A bound as people write it: 10, not 10.0. */
    public static String fmt(double d) {
        return ParamSpec.bound(d);
    }
}
