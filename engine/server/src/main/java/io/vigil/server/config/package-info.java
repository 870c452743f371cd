/**
 * {@code vigil serve}'s configuration: the YAML file (server, limits, detector defaults, reconnect, sinks, streams)
 * read with file:line errors, the policy every stream URL must pass, from the file or the API alike, and the capacity
 * {@code vigil bench} measured ({@code MeasuredCapacity}).
 */
package io.vigil.server.config;
