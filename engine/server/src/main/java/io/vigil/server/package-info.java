/**
 * The monitoring service ({@code vigil serve}): many live streams in one process, a registry that adds and removes
 * them at run time, one hub that every event passes through on its way to the API, the dashboard and the sinks.
 */
package io.vigil.server;
