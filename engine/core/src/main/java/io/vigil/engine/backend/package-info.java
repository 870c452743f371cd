/**
 * Where video statistics are computed: on the CPU (the reference), or on an NVIDIA GPU by CUDA kernels over
 * NVDEC frames that never leave the device, batched across streams by {@link io.vigil.engine.backend.StatsBatcher}.
 * Detectors cannot tell the two apart.
 */
package io.vigil.engine.backend;
