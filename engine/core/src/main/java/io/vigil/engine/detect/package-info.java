/**
 * The detectors: per stream, single-threaded and stateful; each reads only statistics (never pixels or samples),
 * declares itself once in its {@link io.vigil.engine.detect.spec.DetectorSpec} (found through its provider), and
 * reports its condition to its {@link io.vigil.engine.alarm.Alarm}.
 */
package io.vigil.engine.detect;
