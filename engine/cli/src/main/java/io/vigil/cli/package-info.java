/** The {@code vigil} command line: analyze, doctor and demo. */
package io.vigil.cli;
