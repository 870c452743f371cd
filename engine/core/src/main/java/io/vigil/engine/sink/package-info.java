/** Sinks that write the contract's events: JSON lines for programs, aligned text for people. */
package io.vigil.engine.sink;
