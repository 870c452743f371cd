/**
 * {@code vigil serve}'s configuration: the YAML file (server, limits, detector defaults, reconnect, sinks, streams)
 * read with file:line errors, and the policy every stream URL must pass, from the file or the API alike.
 */
package io.vigil.server.config;
