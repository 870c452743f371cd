/** The per-stream pipeline: decoded frames become statistics, statistics go to detectors, detectors raise alarms. */
package io.vigil.engine;
