/**
 * The alarm lifecycle of the output contract: a condition that has held for its raise delay fires (its start
 * back-dated to when the condition began) and resolves when it has been clear for its clear delay or the input
 * ends; and correlation, by {@link io.vigil.engine.alarm.CorrelationRules} the detector specs make (one failure, one
 * alarm). Also the event objects every sink writes, and {@link io.vigil.engine.alarm.OpenAlarms}, which resolves what
 * an analysis that died left firing, and the stream's clock ({@link io.vigil.engine.alarm.StreamClock})
 * that live events take their wall times from.
 */
package io.vigil.engine.alarm;
