/**
 * Configuration: what {@code vigil analyze} and each served stream are configured with, read from YAML over the
 * defaults the detector specs declare (FFmpeg's where FFmpeg has the same detector), each value checked against its
 * spec, with errors that name the file, the line and the key.
 */
package io.vigil.engine.config;
