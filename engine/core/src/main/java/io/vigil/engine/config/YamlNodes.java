package io.vigil.engine.config;

import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.ParamType;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reading one YAML config file's nodes with errors people can act on: every {@link ConfigException} starts with
 * {@code file:line: path:} and says in one sentence what is wrong. Shared by the analyze and serve config loaders,
 * and the one place their values are read: {@code ${VAR}} and {@code ${VAR:-default}} in a file's values are replaced
 * from the environment here ({@code $${} writes a literal {@code ${}), and every duration is read by
 * {@link #seconds}/{@link #duration} ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}; a bare number in the key's
 * own unit).
 */
public final class YamlNodes {
    private static final java.util.regex.Pattern VARIABLE =
            java.util.regex.Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final String file;
    private final boolean lines;
    private final Map<String, String> environment;
    /** Where nodes that came from no line of the file came from (an environment variable), by identity. */
    private final Map<Node, String> origins = new java.util.IdentityHashMap<>();

    /** A config file's nodes: errors give {@code file} and the line; values see {@code environment}, null for none. */
    private YamlNodes(String file, boolean lines, Map<String, String> environment) {
        this.file = file;
        this.lines = lines;
        this.environment = environment;
    }

    /** A file's nodes, with its line numbers in errors and no {@code ${VAR}} substitution. */
    public YamlNodes(String file) {
        this(file, true, null);
    }

    /** A file's nodes, with its line numbers in errors and {@code ${VAR}} replaced from {@code environment}. */
    public static YamlNodes file(String file, Map<String, String> environment) {
        return new YamlNodes(file, true, Map.copyOf(environment));
    }

    /**
     * Nodes that vigil made itself from what a client sent (an API-added stream's settings): errors name
     * {@code label} without a line (the line would be of vigil's own text), and no variable is replaced (a client
     * must not read vigil's environment).
     */
    public static YamlNodes request(String label) {
        return new YamlNodes(label, false, null);
    }

    /** The name errors give. */
    public String file() {
        return file;
    }

    /**
     * The document's root node, null for an empty one; a syntax error is refused as {@code file:line:column: what}.
     */
    public Node compose(String yaml) {
        try {
            return new Compose(LoadSettings.builder().setLabel(file).build()).composeString(yaml).orElse(null);
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
            String problem = e.getProblem() == null || e.getProblem().isBlank() ? "not valid YAML" : e.getProblem();
            String context = e.getContext() == null || e.getContext().isBlank() ? "" : " (" + e.getContext() + ")";
            String at = mark == null || !lines ? "" : ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
            throw new ConfigException(file + at + ": not valid YAML: " + problem + context);
        } catch (YamlEngineException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** The text of a config file, or the one-line error that says why it cannot be read. */
    public static String readFile(Path path) {
        if (Files.isDirectory(path)) {
            throw new ConfigException("The config file " + path + " is a directory.");
        }
        try {
            return Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException("The config file " + path + " does not exist.");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException("The config file " + path + " cannot be read: permission denied.");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException("The config file " + path + " is not UTF-8 text.");
        } catch (java.io.IOException e) {
            throw new ConfigException("The config file " + path + " cannot be read: " + e.getMessage());
        }
    }

    /** {@code file:line: } of a node, for the start of an error message ({@code label: } for a request's nodes). */
    public String where(Node node) {
        String origin = origins.get(node);
        if (origin != null) {
            return origin + ": ";
        }
        return file + (lines ? node.getStartMark().map(m -> ":" + (m.getLine() + 1)).orElse("") : "") + ": ";
    }

    /** A scalar's text (YAML null reads as its text, "null" or "~"), its variables replaced. */
    public String scalar(Node v, String path) {
        if (v instanceof ScalarNode s) {
            return substitute(s, path);
        }
        throw new ConfigException(where(v) + path + ": must be a single value");
    }

    /** A scalar's text, a YAML null refused, its variables replaced. */
    public String text(Node v, String path) {
        if (v instanceof ScalarNode s && !isNull(v)) {
            return substitute(s, path);
        }
        throw new ConfigException(where(v) + path + ": must be a single value");
    }

    /** {@code ${VAR}} and {@code ${VAR:-default}} (the default also for a variable set empty) from the environment. */
    private String substitute(ScalarNode s, String path) {
        String value = s.getValue();
        if (environment == null || !value.contains("${")) {
            return value;
        }
        java.util.regex.Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) == null) {
                replacement = "${";
            } else {
                String set = environment.get(m.group(1));
                if (set != null && !set.isEmpty()) {
                    replacement = set;
                } else if (m.group(2) != null) {
                    replacement = m.group(2);
                } else {
                    throw new ConfigException(where(s) + path + ": the environment variable " + m.group(1)
                            + " is not set (set it, or give a default: ${" + m.group(1) + ":-value})");
                }
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * {@code section}'s mapping with the environment's {@code VIGIL_<SECTION>_<KEY>} variables over its keys
     * ({@code VIGIL_SERVER_PORT} is {@code server.port}, {@code VIGIL_SERVER_HEADER_TIMEOUT_SECONDS} is
     * {@code server.headerTimeoutSeconds}); errors in their values name the variable. As it is without an environment.
     */
    public MappingNode overridden(MappingNode section, String name) {
        if (environment == null) {
            return section;
        }
        String prefix = "VIGIL_" + name.toUpperCase(java.util.Locale.ROOT) + "_";
        List<NodeTuple> entries = new java.util.ArrayList<>(section.getValue());
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(environment).entrySet()) {
            if (!e.getKey().startsWith(prefix) || e.getKey().length() == prefix.length()) {
                continue;
            }
            String key = camelCase(e.getKey().substring(prefix.length()));
            String origin = "environment variable " + e.getKey();
            ScalarNode k = new ScalarNode(Tag.STR, key, org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN);
            ScalarNode v = new ScalarNode(Tag.STR, e.getValue(), org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN);
            origins.put(k, origin);
            origins.put(v, origin);
            entries.removeIf(t -> t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key));
            entries.add(new NodeTuple(k, v));
        }
        return new MappingNode(Tag.MAP, entries, org.snakeyaml.engine.v2.common.FlowStyle.AUTO);
    }

    /** Whether the environment sets any {@code VIGIL_<SECTION>_} variable. */
    public boolean overrides(String name) {
        String prefix = "VIGIL_" + name.toUpperCase(java.util.Locale.ROOT) + "_";
        return environment != null && environment.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    /** {@code HEADER_TIMEOUT_SECONDS} as the key {@code headerTimeoutSeconds}. */
    static String camelCase(String upperSnake) {
        StringBuilder out = new StringBuilder();
        for (String part : upperSnake.toLowerCase(java.util.Locale.ROOT).split("_")) {
            if (part.isEmpty()) {
                continue;
            }
            out.append(out.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return out.toString();
    }

    /**
     * A duration in seconds within {@code min..max} seconds: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, or a
     * bare number of seconds.
     */
    public double seconds(Node v, String path, double min, double max) {
        return duration(v, path, "s", min, max);
    }

    /**
     * A duration counted in {@code unit} ({@code ms}, {@code s}, {@code m} or {@code h}: the unit of the key, and of
     * a bare number) within {@code min..max} of it; written with any unit ({@code 500ms}, {@code 5s}, {@code 2m}).
     */
    public double duration(Node v, String path, String unit, double min, double max) {
        String s = scalar(v, path);
        double d;
        try {
            d = ParamType.duration(s, unit);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where(v) + path + ": " + e.getMessage());
        }
        if (!(d >= min && d <= max)) {
            throw new ConfigException(where(v) + path + ": must be between " + fmt(min) + unit + " and " + fmt(max)
                    + unit + ", got " + s);
        }
        return d;
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

    /** A mapping entry's key (as written: variables are replaced in values only). */
    public String key(NodeTuple t) {
        if (t.getKeyNode() instanceof ScalarNode s) {
            return s.getValue();
        }
        throw new ConfigException(where(t.getKeyNode()) + "key: must be a single value");
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
