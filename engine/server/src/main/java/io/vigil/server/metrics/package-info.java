/** {@code /metrics}: vigil's figures, the JVM's and the process's as Prometheus text or OpenMetrics, through the official Prometheus Java client. */
package io.vigil.server.metrics;
