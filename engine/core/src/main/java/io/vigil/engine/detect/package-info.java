/**
 * Detectors: per stream, single-threaded and stateful; each reads only statistics (never pixels or samples),
 * declares which ones it needs, and reports its condition to its {@link io.vigil.engine.alarm.Alarm}.
 */
package io.vigil.engine.detect;
