package io.vigil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.engine.detect.spec.DetectorRegistry;
import io.vigil.engine.detect.spec.DetectorSpec;
import io.vigil.engine.detect.spec.Evidence;
import io.vigil.engine.detect.spec.ParamSpec;
import io.vigil.engine.detect.spec.StatisticRead;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil detectors}: every detector this build has, as its spec declares it. */
@Command(name = "detectors", mixinStandardHelpOptions = true,
        description = "List every detector: when it fires, its alarm defaults, and each parameter's type, unit, default,"
                + " range and meaning (the keys of detectors.NAME in a config file), what it reads and its part in"
                + " correlation.")
final class DetectorsCommand implements Callable<Integer> {
    private static final int WIDTH = 110;

    @Option(names = "--format", paramLabel = "text|json", description = "text for people (the default), json for programs")
    String format = "text";

    @Override
    public Integer call() throws JsonProcessingException {
        List<DetectorSpec> specs = DetectorRegistry.standard().specs();
        switch (format) {
            case "text" -> specs.forEach(s -> text(s, System.out));
            case "json" -> System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(specs.stream().map(DetectorsCommand::json).toList()));
            default -> throw new Main.UserError("--format must be text or json, got '" + format + "'", Main.EXIT_USAGE);
        }
        return 0;
    }

    static void text(DetectorSpec s, PrintStream out) {
        out.printf(Locale.ROOT, "%s: %s (%s, %s, raise %s, clear %s s)%n", s.name(), s.title(),
                s.enabled() ? "on" : "off unless enabled", s.severity().wireName(),
                s.raiseNote().isEmpty() ? ParamSpec.plain(s.durationSeconds()) + " s" : s.raiseNote(),
                ParamSpec.plain(s.clearDelaySeconds()));
        wrap("fires when " + s.fires(), "    ", out);
        if (!s.parameters().isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"parameter", "type", "default", "range", "meaning"});
            for (ParamSpec p : s.parameters()) {
                rows.add(new String[] {p.name(), p.typeForDocs(), p.defaultForDocs(), p.rangeForDocs(),
                        p.doc() + (p.note().isEmpty() ? "" : " (" + p.note() + ")")});
            }
            table(rows, out);
        }
        List<String> facts = new ArrayList<>();
        if (!s.reads().isEmpty()) {
            facts.add("reads " + String.join(", ", s.reads().stream().map(DetectorsCommand::read).toList()));
        }
        if (!s.uses().isEmpty()) {
            facts.add("uses " + String.join(", ", s.uses().stream().map(Object::toString).toList()));
        }
        if (s.evidence().picture()) {
            facts.add("picture: " + s.evidence());
        }
        if (!s.explains().isEmpty()) {
            facts.add("explains " + String.join(", ", s.explains()) + " (suppressed while this holds)");
        }
        if (!s.combines().isEmpty()) {
            facts.add("raised instead of " + String.join(" and ", s.combines()) + " when both hold");
        }
        if (!facts.isEmpty()) {
            wrap(String.join("; ", facts), "    ", out);
        }
        out.println();
    }

    private static String read(StatisticRead r) {
        List<String> sets = new ArrayList<>();
        r.sets().forEach((figure, ref) -> sets.add(figure + " = " + ref));
        String with = sets.isEmpty() ? "" : " (" + String.join(", ", sets) + ")";
        return r.statistic() + with + (r.whenFlag() == null ? "" : " when " + r.whenFlag());
    }

    /** Columns as wide as their widest cell; the last one wraps under itself. */
    private static void table(List<String[]> rows, PrintStream out) {
        int[] width = new int[4];
        for (String[] row : rows) {
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("    ");
            for (int c = 0; c < width.length; c++) {
                line.append(String.format(Locale.ROOT, "%-" + width[c] + "s  ", row[c]));
            }
            wrap(row[4], line.toString(), out);
        }
    }

    /** {@code text} after {@code first} (whose length indents the lines that follow), broken at spaces. */
    private static void wrap(String text, String first, PrintStream out) {
        String indent = " ".repeat(first.length());
        StringBuilder line = new StringBuilder(first);
        boolean empty = true;
        for (String word : text.split(" ")) {
            if (!empty && line.length() + 1 + word.length() > WIDTH) {
                out.println(line.toString().stripTrailing());
                line = new StringBuilder(indent);
                empty = true;
            }
            line.append(empty ? "" : " ").append(word);
            empty = false;
        }
        out.println(line.toString().stripTrailing());
    }

    static Map<String, Object> json(DetectorSpec s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", s.name());
        d.put("title", s.title());
        d.put("fires", s.fires());
        d.put("enabled", s.enabled());
        d.put("severity", s.severity().wireName());
        d.put("durationSeconds", s.durationSeconds());
        d.put("clearDelaySeconds", s.clearDelaySeconds());
        if (!s.raiseNote().isEmpty()) {
            d.put("raiseNote", s.raiseNote());
        }
        List<Map<String, Object>> parameters = new ArrayList<>();
        for (ParamSpec p : s.parameters()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("type", p.type().wireName());
            m.put("unit", p.unit());
            m.put("default", p.defaultValue());
            m.put("min", p.min());
            m.put("max", p.max());
            m.put("doc", p.doc());
            if (!p.note().isEmpty()) {
                m.put("note", p.note());
            }
            parameters.add(m);
        }
        d.put("parameters", parameters);
        List<Map<String, Object>> reads = new ArrayList<>();
        for (StatisticRead r : s.reads()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("statistic", r.statistic().name());
            m.put("when", r.whenFlag());
            Map<String, String> sets = new LinkedHashMap<>();
            r.sets().forEach((figure, ref) -> sets.put(figure.name(), ref.toString()));
            m.put("sets", sets);
            reads.add(m);
        }
        d.put("reads", reads);
        d.put("uses", s.uses().stream().map(Object::toString).toList());
        d.put("evidence", evidence(s.evidence()));
        d.put("explains", s.explains());
        d.put("combines", s.combines());
        return d;
    }

    private static Map<String, Object> evidence(Evidence e) {
        Map<String, Object> m = new LinkedHashMap<>();
        String kind = e.getClass().getSimpleName();
        m.put("kind", Character.toLowerCase(kind.charAt(0)) + kind.substring(1));
        switch (e) {
            case Evidence.DarkRun d -> m.put("parameter", d.parameter());
            case Evidence.StillReference r -> m.put("parameter", r.parameter());
            case Evidence.SameAs a -> m.put("detector", a.detector());
            default -> {
            }
        }
        return m;
    }
}
