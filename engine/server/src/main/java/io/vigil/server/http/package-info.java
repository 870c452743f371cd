/**
 * The service's HTTP face: the REST API, the Server-Sent Events feed, Prometheus metrics, health checks, the
 * OpenAPI description and the static dashboard, on the JDK's own HTTP server (no framework, nothing to reach outside).
 */
package io.vigil.server.http;
