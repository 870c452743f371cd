/**
 * Watching live streams in this process: {@link io.vigil.server.live.LocalStreamRegistry} and one supervisor per
 * stream that opens its source, analyses it, and reopens it with backoff when it drops.
 */
package io.vigil.server.live;
