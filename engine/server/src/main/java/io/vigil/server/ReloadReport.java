package io.vigil.server;

import java.util.List;

/**
 * What a reload of the config file did to the streams ({@code SIGHUP}, {@code POST /api/reload}).
 *
 * @param added     streams the new file adds, started
 * @param removed   the old file's streams it no longer has, stopped (their firing alarms resolved)
 * @param restarted streams whose URL, detectors or settings (their own or the defaults') changed, stopped and started
 * @param unchanged streams left running as they were (their counters go on)
 * @param notes     one sentence each: settings that take effect only at the next start, a stream that would not start
 */
public record ReloadReport(List<String> added, List<String> removed, List<String> restarted, List<String> unchanged,
                           List<String> notes) {
    public ReloadReport {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        restarted = List.copyOf(restarted);
        unchanged = List.copyOf(unchanged);
        notes = List.copyOf(notes);
    }

    /** One line for a log: "reloaded: 1 added, 0 removed, 1 restarted, 3 unchanged". */
    public String line() {
        return "reloaded: " + added.size() + " added " + added + ", " + removed.size() + " removed " + removed + ", "
                + restarted.size() + " restarted " + restarted + ", " + unchanged.size() + " unchanged"
                + (notes.isEmpty() ? "" : "; " + String.join(" ", notes));
    }
}
