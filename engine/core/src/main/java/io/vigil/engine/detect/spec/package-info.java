/**
 * The detector plug-in API: the {@link io.vigil.engine.detect.spec.Detector} interface, the
 * {@link io.vigil.engine.detect.spec.DetectorSpec} each detector declares itself with (parameters, alarm defaults,
 * statistics read, evidence, correlation), its settings, and the {@link io.vigil.engine.detect.spec.DetectorRegistry}
 * that finds every spec and builds a stream's detectors from a config.
 */
package io.vigil.engine.detect.spec;
