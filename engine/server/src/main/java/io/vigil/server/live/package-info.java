/**
 * Watching live streams in this process: {@link io.vigil.server.live.LocalStreamRegistry} and one supervisor per
 * stream that opens its source, analyses it, reopens it with backoff when it drops, restarts an analysis that failed
 * and quarantines one that keeps failing; the state folder's stream store and crash record.
 */
package io.vigil.server.live;
