/** What the dashboard shows on load: the recent statistics per stream and the last day's alarm and marker events. */
package io.vigil.server.history;
