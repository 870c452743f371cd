/**
 * Configuration: detector settings with FFmpeg-compatible defaults, read from YAML with errors that name the file,
 * the line and the key. The CLI, the service and the tests all use these same defaults.
 */
package io.vigil.engine.config;
