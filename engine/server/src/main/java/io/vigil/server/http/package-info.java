/**
 * The service's HTTP face: the REST API, the Server-Sent Events feed, Prometheus metrics, health checks, the
 * OpenAPI description and the static dashboard, on Jetty 12's core Handler API (no servlets, nothing to reach outside).
 */
package io.vigil.server.http;
