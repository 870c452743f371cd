/**
 * vigil's one logging path: java.util.logging (where System.Logger, and SLF4J through slf4j-jdk14, already lead),
 * one handler on stderr with a text or JSON-lines formatter, and the stream each thread works for on every line.
 */
package io.vigil.engine.log;
