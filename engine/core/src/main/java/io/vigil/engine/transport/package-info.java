/**
 * MPEG transport streams read as bytes, before any demuxer: ETSI TR 101 290 priority 1 and 2 checks per PID
 * ({@link io.vigil.engine.transport.TsAnalyzer}) and SCTE-35 splice_info_sections ({@link
 * io.vigil.engine.transport.SpliceInfo}), in pure Java, in whatever chunks the input delivers.
 */
package io.vigil.engine.transport;
