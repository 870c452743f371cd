package io.vigil.server.http;

import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StatsSample;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What one {@code GET /api/events} client asked to receive: {@code ?stream=a,b} (items of those streams),
 * {@code ?type=alarm,summary} (those event types; {@code stats} for the samples), {@code ?detector=black,freeze}
 * (only events that name one of those detectors: alarms, warnings). Absent: everything. Applied on the server, in the
 * hub's listener, before an item takes a place in the client's queue.
 *
 * @param streams null for every stream
 * @param types null for every type
 * @param detectors null for every item, detector or not
 */
record SseFilter(Set<String> streams, Set<String> types, Set<String> detectors) {
    static final SseFilter ALL = new SseFilter(null, null, null);
    /** How many names one parameter may list. */
    static final int MAX_NAMES = 256;
    private static final Pattern TYPE = Pattern.compile("[a-z_]{1,32}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The accessor of an event record's {@code detector} component, or null: looked up once per event class. */
    private static final ClassValue<Method> DETECTOR = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            if (!type.isRecord()) {
                return null;
            }
            for (RecordComponent c : type.getRecordComponents()) {
                if (c.getName().equals("detector") && c.getType() == String.class) {
                    return c.getAccessor();
                }
            }
            return null;
        }
    };

    /**
     * The filter a query asks for.
     *
     * @throws IllegalArgumentException with a sentence for the client, for a name that cannot be one
     */
    static SseFilter of(Map<String, String> query) {
        return new SseFilter(names(query, "stream", NAME), names(query, "type", TYPE), names(query, "detector", NAME));
    }

    private static Set<String> names(Map<String, String> query, String parameter, Pattern rule) {
        String value = query.get(parameter);
        if (value == null) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String name : value.split(",", -1)) {
            String n = name.strip();
            if (!rule.matcher(n).matches()) {
                throw new IllegalArgumentException("The parameter " + parameter + " must list names separated by "
                        + "commas (" + rule.pattern() + "), got '" + (n.length() > 64 ? n.substring(0, 64) + "..." : n)
                        + "'.");
            }
            out.add(n);
        }
        if (out.size() > MAX_NAMES) {
            throw new IllegalArgumentException("The parameter " + parameter + " may list at most " + MAX_NAMES
                    + " names.");
        }
        return Set.copyOf(out);
    }

    /** Whether the client wants statistics samples at all. */
    boolean wantsStats() {
        return (types == null || types.contains("stats")) && detectors == null;
    }

    /** Whether the client wants contract events at all. */
    boolean wantsEvents() {
        return types == null || types.stream().anyMatch(t -> !t.equals("stats"));
    }

    boolean test(EventHub.Published item) {
        Object payload = item.payload();
        String stream;
        String type;
        if (payload instanceof Event e) {
            stream = e.stream();
            type = e.type();
        } else if (payload instanceof StatsSample s) {
            stream = s.stream();
            type = "stats";
        } else {
            return false;
        }
        if (streams != null && !streams.contains(stream)) {
            return false;
        }
        if (types != null && !types.contains(type)) {
            return false;
        }
        if (detectors == null) {
            return true;
        }
        String detector = detector(payload);
        return detector != null && detectors.contains(detector);
    }

    private static String detector(Object payload) {
        Method accessor = DETECTOR.get(payload.getClass());
        if (accessor == null) {
            return null;
        }
        try {
            return (String) accessor.invoke(payload);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
