/**
 * An alarm's evidence in {@code vigil serve}: its start picture and a short clip of the stream around it, kept on
 * disk for a configured time and size, named in its events by URL and served by the API.
 */
package io.vigil.server.evidence;
