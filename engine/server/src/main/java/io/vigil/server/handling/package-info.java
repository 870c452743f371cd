/**
 * What operators do with alarms in {@code vigil serve}: acknowledgements, mutes and maintenance windows (which mark
 * alarms suppressed: shown, not paged), kept across restarts in the state folder.
 */
package io.vigil.server.handling;
